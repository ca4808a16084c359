package org.tessera.core.kernels;

import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * Scaled dot-product attention, bidirectional (ViT) or causal (LLM prefill and decode over a KV cache), with
 * grouped-query attention (GQA: several query heads share one key/value head), computed block by block with an online
 * softmax (the FlashAttention recurrence) so memory stays O(block²) instead of O(seqQ·seqK).
 *
 * <p>Layouts (row-major, the order the projections produce): q and out {@code [seqQ][nHeads][headDim]}; k and v
 * {@code [pos][kvHead][headDim]} by default, or any strides via the long form (so a cache laid out
 * {@code [kvHead][maxPos][headDim]} works too) — those are re-packed block by block on every call; a {@link KvCache}
 * keeps them in the kernel's panel layout instead, which is what decode should use. Query head h uses key/value head {@code h / (nHeads / nKvHeads)}.
 * Causal: query token t sits at absolute position {@code qPos0 + t} and sees keys at positions ≤ that; for a decode
 * step over a cache of seqK entries, seqQ = 1 and qPos0 = seqK − 1.
 *
 * <p>How it is computed. A work unit is one kv head × a block of query tokens; its rows are all (token, query head
 * of the group) pairs, so the group's heads share every K/V block they load — for decode (seqQ = 1) that turns the
 * G heads of a group into G rows of a small matrix product instead of G matrix-vector products. For each block of
 * {@value #BK} keys: S = Q·Kᵀ (pre-scaled Q) with {@link Gemm#kernel}'s 4×16 micro-kernel on packed panels; per row,
 * m' = max(m, max S), p = e^(S − m'), l = l·e^(m − m') + Σp, O = O·e^(m − m') + P·V (again the micro-kernel);
 * at the end out = O / l. Masked keys (beyond the causal limit or the block's end) get p = 0; a row that sees no key
 * of a block skips it.
 *
 * <p>Accuracy (argued in AttentionTest): scores carry γ_(d+2)·scale·Σ|q||k|, which perturbs the softmax weights by
 * at most a factor e^(±2Δ); the exponentials, rescalings, sums of seqK terms and the division add
 * O((seqK + blocks)·u) relative to Σ p|v|.
 */
public final class Attention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    /** Keys per block: multiple of the micro-kernel's 16 columns; S block rows × 64 floats stays in L1. */
    static final int BK = 64;
    /** Target rows (token × group head) per work unit. */
    static final int ROWS = 64;
    private static final int MR = Gemm.MR, NR = Gemm.NR;

    private Attention() {}

    /** Attention with k/v in {@code [pos][kvHead][headDim]} layout starting at index 0. See the class comment. */
    public static void attention(float[] q, float[] k, float[] v, float[] out, int seqQ, int seqK,
                                 int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        int kvStride = nKvHeads * headDim;
        attention(q, k, 0, kvStride, headDim, v, 0, kvStride, headDim, out, seqQ, seqK, nHeads, nKvHeads, headDim, scale, causal, qPos0);
    }

    /**
     * Attention over the first {@code cache.length()} positions of a {@link KvCache}, whose panel layout the kernel
     * reads in place (no packing). q and out are {@code [seqQ][nHeads][headDim]}; for a decode step seqQ = 1 and
     * qPos0 = cache.length() − 1 (the new token's key and value appended first).
     */
    public static void attention(float[] q, KvCache cache, float[] out, int seqQ, int nHeads, float scale, boolean causal, int qPos0) {
        int d = cache.headDim(), nKvHeads = cache.kvHeads();
        run(q, null, 0, 0, 0, null, 0, 0, 0, cache, out, seqQ, cache.length(), nHeads, nKvHeads, d, scale, causal, qPos0);
    }

    /**
     * General form: K element (pos, kvHead, i) is {@code k[kOff + pos*kPosStride + kvHead*kHeadStride + i]}, likewise V.
     * q and out are {@code [seqQ][nHeads][headDim]} from index 0.
     */
    public static void attention(float[] q, float[] k, int kOff, int kPosStride, int kHeadStride,
                                 float[] v, int vOff, int vPosStride, int vHeadStride, float[] out,
                                 int seqQ, int seqK, int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        run(q, k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, null, out, seqQ, seqK, nHeads, nKvHeads, headDim, scale, causal, qPos0);
    }

    private static void run(float[] q, float[] k, int kOff, int kPosStride, int kHeadStride,
                            float[] v, int vOff, int vPosStride, int vHeadStride, KvCache cache, float[] out,
                            int seqQ, int seqK, int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        if (headDim <= 0 || seqQ < 0 || seqK < 0) throw new IllegalArgumentException("bad sizes");
        Objects.checkFromIndexSize(0, seqQ * nHeads * headDim, q.length);
        Objects.checkFromIndexSize(0, seqQ * nHeads * headDim, out.length);
        if (seqK > 0 && cache == null) {
            long lastK = kOff + (long) (seqK - 1) * kPosStride + (long) (nKvHeads - 1) * kHeadStride + headDim;
            long lastV = vOff + (long) (seqK - 1) * vPosStride + (long) (nKvHeads - 1) * vHeadStride + headDim;
            if (lastK > k.length || lastV > v.length) throw new IndexOutOfBoundsException("k/v arrays too short for seqK " + seqK);
        }
        if (seqQ == 0) return;
        int g = nHeads / nKvHeads;
        int tokensPerUnit = Math.max(1, ROWS / g);
        int tokenBlocks = (seqQ + tokensPerUnit - 1) / tokensPerUnit;
        Job job = new Job(q, k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, cache, out, seqQ, seqK, nHeads, g,
                headDim, scale, causal, qPos0, tokensPerUnit);
        int units = nKvHeads * tokenBlocks;
        if ((long) seqQ * seqK * nHeads * headDim < Gemm.parallelMinMacs) {
            for (int u = 0; u < units; u++) job.unit(u / tokenBlocks, u % tokenBlocks);
        } else {
            // Token block varies fastest, so with causal masking each thread's contiguous share mixes cheap and dear blocks.
            Parallel.forRange(units, u -> job.unit(u % nKvHeads, u / nKvHeads));
        }
    }

    private record Job(float[] q, float[] k, int kOff, int kPosStride, int kHeadStride,
                       float[] v, int vOff, int vPosStride, int vHeadStride, KvCache cache, float[] out,
                       int seqQ, int seqK, int nHeads, int g, int d, float scale, boolean causal, int qPos0, int tokensPerUnit) {

        void unit(int kvh, int tokenBlock) {
            int t0 = tokenBlock * tokensPerUnit, t1 = Math.min(seqQ, t0 + tokensPerUnit);
            int rows = (t1 - t0) * g;
            int rPad = (rows + MR - 1) / MR * MR;
            int dPad = (d + NR - 1) / NR * NR;
            Scratch s = Scratch.get(rPad, d, dPad);
            // Q rows (t, head kvh*g + j) → packed MR-row panels [d][4], pre-multiplied by the scale.
            for (int r = 0; r < rPad; r++) {
                int panel = r / MR, lane = r % MR;
                int base = panel * d * MR + lane;
                if (r < rows) {
                    int t = t0 + r / g, h = kvh * g + r % g;
                    int src = (t * nHeads + h) * d;
                    for (int i = 0; i < d; i++) s.qp[base + i * MR] = q[src + i] * scale;
                } else {
                    for (int i = 0; i < d; i++) s.qp[base + i * MR] = 0f;
                }
            }
            Arrays.fill(s.m, 0, rPad, Float.NEGATIVE_INFINITY);
            Arrays.fill(s.l, 0, rPad, 0f);
            Arrays.fill(s.o, 0, rPad * dPad, 0f);
            int kEnd = causal ? Math.min(seqK, qPos0 + t1) : seqK;
            for (int kb = 0; kb < kEnd; kb += BK) {
                int nk = Math.min(BK, kEnd - kb);
                int kPanels = (nk + NR - 1) / NR;
                // K panels [d][16 keys] and V panels [key][16 dims]: packed from k/v here, or read in place from a cache.
                float[] kSrc, vSrc;
                int kBase, vBase, vPanelStride;
                if (cache == null) {
                    packK(kvh, kb, nk, kPanels, s.kp);
                    packV(kvh, kb, nk, dPad, s.vp);
                    kSrc = s.kp;
                    kBase = 0;
                    vSrc = s.vp;
                    vBase = 0;
                    vPanelStride = nk * NR;
                } else {
                    kSrc = cache.k;
                    kBase = cache.keyIndex(kvh, kb, 0); // kb is a multiple of 16: a panel start
                    vSrc = cache.v;
                    vBase = cache.valueIndex(kvh, kb, 0);
                    vPanelStride = cache.valuePanelStride();
                }
                for (int ir = 0; ir < rPad / MR; ir++) {
                    for (int jr = 0; jr < kPanels; jr++) {
                        Gemm.kernel(s.qp, ir * d * MR, kSrc, kBase + jr * d * NR, d, s.s, ir * MR * BK + jr * NR, BK, false);
                    }
                }
                for (int r = 0; r < rPad; r++) {
                    int valid = 0;
                    if (r < rows) {
                        int t = t0 + r / g;
                        valid = causal ? Math.min(nk, qPos0 + t + 1 - kb) : nk;
                    }
                    softmaxRow(s, r, valid, nk, dPad);
                }
                for (int ir = 0; ir < rPad / MR; ir++) {
                    for (int jd = 0; jd < dPad / NR; jd++) {
                        Gemm.kernel(s.pp, ir * nk * MR, vSrc, vBase + jd * vPanelStride, nk, s.o, ir * MR * dPad + jd * NR, dPad, true);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int t = t0 + r / g, h = kvh * g + r % g;
                int dst = (t * nHeads + h) * d;
                float inv = 1f / s.l[r]; // l = 0 (no visible key) gives NaN, as softmax over nothing does
                for (int i = 0; i < d; i++) out[dst + i] = s.o[r * dPad + i] * inv;
            }
        }

        /** One row's online-softmax step over this block's scores; writes its P column into the packed P panel. */
        private void softmaxRow(Scratch s, int r, int valid, int nk, int dPad) {
            int pBase = (r / MR) * nk * MR + r % MR;
            if (valid <= 0) {
                for (int j = 0; j < nk; j++) s.pp[pBase + j * MR] = 0f;
                return;
            }
            float[] sc = s.s;
            int so = r * BK;
            // Whole vectors over the valid keys; lanes past `valid` in the last one are masked to −∞ (e^−∞ = 0).
            // The score row has BK columns, so reading a full last vector stays inside it.
            FloatVector negInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            FloatVector mx = negInf;
            for (int j = 0; j < valid; j += L) {
                FloatVector v = FloatVector.fromArray(F, sc, so + j);
                if (j + L > valid) v = v.blend(negInf, F.indexInRange(j, valid).not());
                mx = mx.max(v);
            }
            float rowMax = mx.reduceLanes(VectorOperators.MAX);
            float mOld = s.m[r];
            float mNew = Math.max(mOld, rowMax);
            float alpha = mOld == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(mOld - mNew);
            FloatVector mv = FloatVector.broadcast(F, mNew);
            float[] row = s.row;
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < valid; j += L) {
                FloatVector v = FloatVector.fromArray(F, sc, so + j);
                if (j + L > valid) v = v.blend(negInf, F.indexInRange(j, valid).not());
                FloatVector e = VectorMath.exp(v.sub(mv));
                acc = acc.add(e);
                e.intoArray(row, j);
            }
            float sum = VectorMath.sum(acc);
            int j;
            for (j = 0; j < valid; j++) s.pp[pBase + j * MR] = row[j];
            for (; j < nk; j++) s.pp[pBase + j * MR] = 0f;
            s.l[r] = s.l[r] * alpha + sum;
            s.m[r] = mNew;
            if (alpha != 1f) {
                int oo = r * dPad;
                FloatVector av = FloatVector.broadcast(F, alpha);
                for (int i = 0; i < dPad; i += L) FloatVector.fromArray(F, s.o, oo + i).mul(av).intoArray(s.o, oo + i);
            }
        }

        /** K rows kb..kb+nk of head kvh → panels of 16 keys, {@code kp[(panel*d + i)*16 + c] = K[kb + panel*16 + c][i]}. */
        private void packK(int kvh, int kb, int nk, int kPanels, float[] kp) {
            for (int jr = 0; jr < kPanels; jr++) {
                for (int c = 0; c < NR; c++) {
                    int key = jr * NR + c;
                    int dst = jr * d * NR + c;
                    if (key < nk) {
                        int src = kOff + (kb + key) * kPosStride + kvh * kHeadStride;
                        for (int i = 0; i < d; i++) kp[dst + i * NR] = k[src + i];
                    } else {
                        for (int i = 0; i < d; i++) kp[dst + i * NR] = 0f;
                    }
                }
            }
        }

        /** V rows kb..kb+nk → panels of 16 dims, {@code vp[(panel*nk + j)*16 + c] = V[kb + j][panel*16 + c]}, zero past d. */
        private void packV(int kvh, int kb, int nk, int dPad, float[] vp) {
            for (int j = 0; j < nk; j++) {
                int src = vOff + (kb + j) * vPosStride + kvh * vHeadStride;
                for (int jd = 0; jd < dPad / NR; jd++) {
                    int dst = (jd * nk + j) * NR;
                    int i0 = jd * NR;
                    int n = Math.min(NR, d - i0);
                    System.arraycopy(v, src + i0, vp, dst, n);
                    if (n < NR) Arrays.fill(vp, dst + n, dst + NR, 0f);
                }
            }
        }
    }

    /** Per-thread buffers, grown on demand. */
    private static final class Scratch {
        float[] qp = new float[0], kp = new float[0], vp = new float[0], s = new float[0], pp = new float[0], o = new float[0];
        float[] m = new float[0], l = new float[0];
        final float[] row = new float[BK];

        private static final ThreadLocal<Scratch> TL = ThreadLocal.withInitial(Scratch::new);

        static Scratch get(int rPad, int d, int dPad) {
            Scratch s = TL.get();
            if (s.qp.length < rPad * d) s.qp = new float[rPad * d];
            if (s.kp.length < BK * d) s.kp = new float[BK * d];
            if (s.vp.length < BK * dPad) s.vp = new float[BK * dPad];
            if (s.s.length < rPad * BK) s.s = new float[rPad * BK];
            if (s.pp.length < rPad * BK) s.pp = new float[rPad * BK];
            if (s.o.length < rPad * dPad) s.o = new float[rPad * dPad];
            if (s.m.length < rPad) {
                s.m = new float[rPad];
                s.l = new float[rPad];
            }
            return s;
        }
    }
}
