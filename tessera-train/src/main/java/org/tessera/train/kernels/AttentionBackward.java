package org.tessera.train.kernels;

import org.tessera.core.Parallel;

/**
 * The backward pass of scaled dot-product attention, {@code O = softmax(scale·Q·Kᵀ [causal mask])·V}, per segment
 * (a tile, or one sequence of a packed batch) and head, with grouped-query heads (query head h reads key/value head
 * {@code h / (heads / kvHeads)}).
 *
 * <p>The forward runs on tessera-core's blocked attention kernel, which keeps no probabilities; here each query row's
 * probabilities are recomputed from Q and K (the FlashAttention approach: memory stays O(rows·d) instead of
 * O(rows²)), then with dP = dO·Vᵀ and D = Σ_j P_j·dP_j = dO·O,
 * <pre>
 *   dS = P ∘ (dP − D),   dQ = scale·dS·K,   dK = scale·dSᵀ·Q,   dV = Pᵀ·dO.
 * </pre>
 * Work units are (segment, key/value head) pairs, run in parallel: a unit owns the dK and dV rows of its head in its
 * segment and the dQ rows of the query heads that share it, so no two units write the same element.
 *
 * <p>Layouts: element (row t, head h, i) of Q is {@code q[qOff + t·qStride + h·d + i]}; K and V likewise with kv heads;
 * dO is {@code [rows][heads][d]} at {@code dOff} with row stride {@code dStride}. dQ, dK and dV have exactly the
 * layouts of Q, K and V (so a fused qkv buffer gets a fused gradient) and are accumulated into (+=).
 */
public final class AttentionBackward {
    private AttentionBackward() {}

    public static void backward(float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
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
