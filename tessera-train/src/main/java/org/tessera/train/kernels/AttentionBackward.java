package org.tessera.train.kernels;

import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.WeightMatrix;

/**
 * The backward pass of scaled dot-product attention, {@code O = softmax(scale·Q·Kᵀ [causal mask])·V}, per segment
 * (a tile, or one sequence of a packed batch) and head, with grouped-query heads (query head h reads key/value head
 * {@code h / (heads / kvHeads)}).
 *
 * <p>The forward runs on tessera-core's blocked attention kernel, which keeps no probabilities; here they are
 * recomputed from Q and K, a block of {@value #QB} query rows at a time (memory O(QB·L) per unit instead of the
 * O(L²) of stored probabilities), then with dP = dO·Vᵀ and D = Σ_j P_j·dP_j = dO·O,
 * <pre>
 *   dS = P ∘ (dP − D),   dQ = scale·dS·K,   dK = scale·dSᵀ·Q,   dV = Pᵀ·dO.
 * </pre>
 * The five products per block (S = Q·Kᵀ, dP = dO·Vᵀ, dQ = dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO) run on {@link Gemm} and
 * {@link Products#accumulateOuter}; a causal block computes only the keys up to its last row and masks the rest.
 * Work units are (segment, key/value head) pairs, run in parallel: a unit owns the dK and dV rows of its head in its
 * segment and the dQ rows of the query heads that share it, so no two units write the same element.
 *
 * <p>Layouts: element (row t, head h, i) of Q is {@code q[qOff + t·qStride + h·d + i]}; K and V likewise with kv heads;
 * dO is {@code [rows][heads][d]} at {@code dOff} with row stride {@code dStride}. dQ, dK and dV have exactly the
 * layouts of Q, K and V (so a fused qkv buffer gets a fused gradient) and are accumulated into (+=).
 */
public final class AttentionBackward {
    private AttentionBackward() {}

    /** Query rows per block of the blocked backward: bounds the score buffers to QB × segment length. */
    static final int QB = 256;

    public static void backward(float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                                float[] v, int vOff, int vStride, float[] dOut, int dOff, int dStride,
                                float[] dq, float[] dk, float[] dv, int[] segmentStarts,
                                int heads, int kvHeads, int d, float scale, boolean causal) {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kvHeads " + kvHeads);
        int segments = segmentStarts.length - 1;
        int group = heads / kvHeads;
        Parallel.forRange(segments * kvHeads, u -> {
            int s = u / kvHeads, g = u % kvHeads;
            int s0 = segmentStarts[s], len = segmentStarts[s + 1] - s0;
            if (len <= 0) return;
            // this kv head's K, V (and Kᵀ) as contiguous [len, d] matrices; gradients collected the same way
            float[] kh = gather(k, kOff + s0 * kStride + g * d, kStride, len, d);
            float[] vh = gather(v, vOff + s0 * vStride + g * d, vStride, len, d);
            float[] khT = new float[d * len];
            Products.transpose(kh, 0, len, d, khT, 0);
            WeightMatrix kW = WeightMatrix.ofFloats(kh, len, d), vW = WeightMatrix.ofFloats(vh, len, d), kTW = WeightMatrix.ofFloats(khT, d, len);
            float[] dkh = new float[len * d], dvh = new float[len * d];
            int qbMax = Math.min(QB, len);
            float[] sc = new float[qbMax * len], dp = new float[qbMax * len], dqb = new float[qbMax * d];
            for (int h = g * group; h < (g + 1) * group; h++) {
                float[] qh = gather(q, qOff + s0 * qStride + h * d, qStride, len, d);
                float[] oh = gather(dOut, dOff + s0 * dStride + h * d, dStride, len, d);
                for (int b0 = 0; b0 < len; b0 += QB) {
                    int rows = Math.min(QB, len - b0);
                    int keys = causal ? b0 + rows : len;
                    // S = Q_b·Kᵀ and dP = dO_b·Vᵀ over the keys the block sees, row stride `keys`
                    Gemm.matmul(qh, b0 * d, rows, keys == len ? kW : WeightMatrix.ofFloats(kh, keys, d), null, sc, 0);
                    Gemm.matmul(oh, b0 * d, rows, keys == len ? vW : WeightMatrix.ofFloats(vh, keys, d), null, dp, 0);
                    for (int i = 0; i < rows; i++) {
                        int n = causal ? b0 + i + 1 : keys, o = i * keys;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) max = Math.max(max, sc[o + j] *= scale);
                        double sum = 0;
                        for (int j = 0; j < n; j++) {
                            float e = (float) Math.exp(sc[o + j] - max);
                            sc[o + j] = e;
                            sum += e;
                        }
                        float inv = (float) (1.0 / sum);
                        double dsum = 0;
                        for (int j = 0; j < n; j++) {
                            sc[o + j] *= inv;
                            dsum += (double) sc[o + j] * dp[o + j];
                        }
                        float big = (float) dsum;
                        for (int j = 0; j < n; j++) dp[o + j] = sc[o + j] * (dp[o + j] - big) * scale; // dS (scale folded in)
                        for (int j = n; j < keys; j++) sc[o + j] = dp[o + j] = 0f;
                    }
                    // dQ_b = dS·K, dK += dSᵀ·Q_b, dV += Pᵀ·dO_b
                    Gemm.matmul(dp, 0, rows, keys == len ? kTW : sliceT(khT, d, len, keys), null, dqb, 0);
                    scatterAdd(dqb, rows, d, dq, qOff + (s0 + b0) * qStride + h * d, qStride);
                    Products.accumulateOuter(dp, 0, rows, keys, qh, b0 * d, d, dkh);
                    Products.accumulateOuter(sc, 0, rows, keys, oh, b0 * d, d, dvh);
                }
            }
            scatterAdd(dkh, len, d, dk, kOff + s0 * kStride + g * d, kStride);
            scatterAdd(dvh, len, d, dv, vOff + s0 * vStride + g * d, vStride);
        });
    }

    private static float[] gather(float[] src, int off, int stride, int rows, int d) {
        float[] out = new float[rows * d];
        for (int i = 0; i < rows; i++) System.arraycopy(src, off + i * stride, out, i * d, d);
        return out;
    }

    private static void scatterAdd(float[] src, int rows, int d, float[] dst, int off, int stride) {
        for (int i = 0; i < rows; i++) Products.add(dst, off + i * stride, src, i * d, d);
    }

    /** The first {@code keys} columns of Kᵀ {@code [d, len]} as a {@code [d, keys]} matrix. */
    private static WeightMatrix sliceT(float[] khT, int d, int len, int keys) {
        float[] t = new float[d * keys];
        for (int i = 0; i < d; i++) System.arraycopy(khT, i * len, t, i * keys, keys);
        return WeightMatrix.ofFloats(t, d, keys);
    }

    /** The row-by-row form (one dot product per score): the reference the blocked backward is tested against. */
    static void backwardReference(float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                                  float[] v, int vOff, int vStride, float[] dOut, int dOff, int dStride,
                                  float[] dq, float[] dk, float[] dv, int[] segmentStarts,
                                  int heads, int kvHeads, int d, float scale, boolean causal) {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kvHeads " + kvHeads);
        int segments = segmentStarts.length - 1;
        int units = segments * kvHeads;
        int group = heads / kvHeads;
        Parallel.forRange(units, u -> {
            int s = u / kvHeads, g = u % kvHeads;
            int s0 = segmentStarts[s], s1 = segmentStarts[s + 1];
            int len = s1 - s0;
            if (len <= 0) return;
            float[] p = new float[len];
            float[] dp = new float[len];
            for (int h = g * group; h < (g + 1) * group; h++) {
                for (int i = 0; i < len; i++) {
                    int n = causal ? i + 1 : len;
                    int qi = qOff + (s0 + i) * qStride + h * d;
                    int oi = dOff + (s0 + i) * dStride + h * d;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        float sc = scale * Products.dot(q, qi, k, kOff + (s0 + j) * kStride + g * d, d);
                        p[j] = sc;
                        if (sc > max) max = sc;
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        float e = (float) Math.exp(p[j] - max);
                        p[j] = e;
                        sum += e;
                    }
                    float inv = (float) (1.0 / sum);
                    double dsum = 0;
                    for (int j = 0; j < n; j++) {
                        p[j] *= inv;
                        dp[j] = Products.dot(dOut, oi, v, vOff + (s0 + j) * vStride + g * d, d);
                        dsum += (double) p[j] * dp[j];
                    }
                    float big = (float) dsum;
                    for (int j = 0; j < n; j++) {
                        float ds = p[j] * (dp[j] - big) * scale;
                        int kj = (s0 + j) * kStride + g * d;
                        int vj = (s0 + j) * vStride + g * d;
                        Products.axpy(ds, k, kOff + kj, dq, qi, d);
                        Products.axpy(ds, q, qi, dk, kOff + kj, d);
                        Products.axpy(p[j], dOut, oi, dv, vOff + vj, d);
                    }
                }
            }
        });
    }
}
