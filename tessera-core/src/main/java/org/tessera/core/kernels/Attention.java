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
 * <p>Layouts (row-major, the order the projections produce): q and out {@code [seqQ][nHeads][headDim]}, each token's
 * row at any offset and stride (so the ViT reads q straight out of its fused qkv rows); k and v
 * {@code [pos][kvHead][headDim]} by default, or any strides via the long form (so a cache laid out
 * {@code [kvHead][maxPos][headDim]} works too); a {@link KvCache} keeps them in the kernel's panel layout instead.
 * Query head h uses key/value head {@code h / (nHeads / nKvHeads)}. Causal: query token t sits at absolute position
 * {@code qPos0 + t} and sees keys at positions ≤ that; for a decode step over a cache of seqK entries, seqQ = 1 and
 * qPos0 = seqK − 1.
 *
 * <p>How it is computed. K and V (the positions any query can see) are first packed once per call into the panel
 * layout of {@link KvCache} (keys: 16-key panels, one row per dimension; values: 16-dimension panels, one row per
 * key), over the pool; a KvCache is read in place. A work unit is then one kv head × a block of query tokens; its rows
 * are all (token, query head of the group) pairs, so the group's heads share every K/V block they load. For each
 * block of {@link #BK} keys: S = Q·Kᵀ (pre-scaled Q) with {@link Gemm#kernel}'s 4×16 micro-kernel; per row,
 * m' = max(m, max S), p = e^(S − m') written over S in place, l = l·e^(m − m') + Σp, O = O·e^(m − m') + P·V (the
 * same micro-kernel reading P's rows in place); at the end out = O / l. Masked keys (beyond the causal limit or the
 * block's end) get p = 0; a row that sees no key of a block skips it. The exponentials are {@link VectorMath#exp}
 * (≤ 1.01 ulp, cheaper than the Vector API's EXP here).
 *
 * <p>A single query token over arrays (decode with an array cache) takes a direct path instead ({@link #decodeUnit}):
 * its scores are dot products against K's rows as they lie, so nothing is packed, and each kv head is a unit.
 *
 * <p>Accuracy (argued in AttentionTest): scores carry γ_(d+2)·scale·Σ|q||k|, which perturbs the softmax weights by
 * at most a factor e^(±2Δ); the exponentials (≤ 2u each), rescalings, sums of seqK terms and the division add
 * O((seqK + blocks)·u) relative to Σ p|v|.
 */
public final class Attention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    /**
     * Keys per block, a multiple of the micro-kernel's 16 columns (and of 8). 128 against 64: ~10 % faster causal
     * prefill attention and ~5 % the ViT's (half the per-block softmax bookkeeping and O rescaling); the S block, 64 rows
     * × 128, is 32 KB. Settable with -Dtessera.attn.bk for tuning runs.
     */
    static final int BK = Integer.getInteger("tessera.attn.bk", 128);
    /** Target rows (token × group head) per work unit. */
    static final int ROWS = Integer.getInteger("tessera.attn.rows", 64);
    private static final int MR = Gemm.MR, NR = Gemm.NR;

    private Attention() {}

    /** Attention with q/out {@code [seqQ][nHeads][headDim]} and k/v {@code [pos][kvHead][headDim]}, all from index 0. */
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
        run(q, 0, nHeads * d, null, 0, 0, 0, null, 0, 0, 0, cache, out, 0, nHeads * d, seqQ, cache.length(), nHeads, nKvHeads, d,
                scale, causal, qPos0);
    }

    /**
     * K element (pos, kvHead, i) is {@code k[kOff + pos*kPosStride + kvHead*kHeadStride + i]}, likewise V; q and out
     * are {@code [seqQ][nHeads][headDim]} from index 0.
     */
    public static void attention(float[] q, float[] k, int kOff, int kPosStride, int kHeadStride,
                                 float[] v, int vOff, int vPosStride, int vHeadStride, float[] out,
                                 int seqQ, int seqK, int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        int qs = nHeads * headDim;
        run(q, 0, qs, k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, null, out, 0, qs, seqQ, seqK, nHeads, nKvHeads,
                headDim, scale, causal, qPos0);
    }

    /**
     * The general form: query element (t, head h, i) is {@code q[qOff + t*qStride + h*headDim + i]}, and the result
     * for it goes to {@code out[outOff + t*outStride + h*headDim + i]}; K and V as in the form above.
     */
    public static void attention(float[] q, int qOff, int qStride, float[] k, int kOff, int kPosStride, int kHeadStride,
                                 float[] v, int vOff, int vPosStride, int vHeadStride, float[] out, int outOff, int outStride,
                                 int seqQ, int seqK, int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        run(q, qOff, qStride, k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, null, out, outOff, outStride, seqQ, seqK,
                nHeads, nKvHeads, headDim, scale, causal, qPos0);
    }

    private static void run(float[] q, int qOff, int qStride, float[] k, int kOff, int kPosStride, int kHeadStride,
                            float[] v, int vOff, int vPosStride, int vHeadStride, KvCache cache, float[] out, int outOff, int outStride,
                            int seqQ, int seqK, int nHeads, int nKvHeads, int headDim, float scale, boolean causal, int qPos0) {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        if (headDim <= 0 || seqQ < 0 || seqK < 0) throw new IllegalArgumentException("bad sizes");
        int rowLen = nHeads * headDim;
        if (qStride < rowLen || outStride < rowLen) throw new IllegalArgumentException("q/out stride below nHeads·headDim");
        if (seqQ > 0) {
            Objects.checkFromIndexSize(qOff, (int) Math.min(Integer.MAX_VALUE, (long) (seqQ - 1) * qStride + rowLen), q.length);
            Objects.checkFromIndexSize(outOff, (int) Math.min(Integer.MAX_VALUE, (long) (seqQ - 1) * outStride + rowLen), out.length);
        }
        if (seqK > 0 && cache == null) {
            long lastK = kOff + (long) (seqK - 1) * kPosStride + (long) (nKvHeads - 1) * kHeadStride + headDim;
            long lastV = vOff + (long) (seqK - 1) * vPosStride + (long) (nKvHeads - 1) * vHeadStride + headDim;
            if (kOff < 0 || vOff < 0 || lastK > k.length || lastV > v.length) throw new IndexOutOfBoundsException("k/v arrays too short for seqK " + seqK);
        }
        if (seqQ == 0) return;
        int g = nHeads / nKvHeads;
        boolean parallel = (long) seqQ * seqK * nHeads * headDim >= Gemm.parallelMinMacs;
        if (seqQ == 1 && cache == null) {
            int kEnd = causal ? Math.max(0, Math.min(seqK, qPos0 + 1)) : seqK;
            Decode job = new Decode(q, qOff, k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, out, outOff,
                    kEnd, g, headDim, scale);
            // ~2 multiply-adds per (head, key, dim); a team hand-off costs about as much as 64 K of them
            if ((long) nHeads * kEnd * headDim >= Math.min(Gemm.parallelMinMacs, 1 << 16)) Parallel.forRange(nKvHeads, job::unit);
            else for (int h = 0; h < nKvHeads; h++) job.unit(h);
            return;
        }
        // Keys any query can see: with causal masking, none past the last query's position.
        int seen = causal ? Math.max(0, Math.min(seqK, qPos0 + seqQ)) : seqK;
        Panels panels = cache != null ? Panels.of(cache) : Panels.pack(k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride,
                seen, nKvHeads, headDim, parallel);
        int tokensPerUnit = Math.max(1, ROWS / g);
        int tokenBlocks = (seqQ + tokensPerUnit - 1) / tokensPerUnit;
        Job job = new Job(q, qOff, qStride, panels, out, outOff, outStride, seqQ, seqK, nHeads, g, headDim, scale, causal, qPos0, tokensPerUnit);
        int units = nKvHeads * tokenBlocks;
        if (!parallel) {
            for (int u = 0; u < units; u++) job.unit(u / tokenBlocks, u % tokenBlocks);
        } else {
            // Token block varies fastest, so with causal masking each thread's contiguous share mixes cheap and dear blocks.
            Parallel.forRange(units, u -> job.unit(u % nKvHeads, u / nKvHeads));
        }
    }

    /** K and V in {@link KvCache}'s panel layout: a cache's own arrays, or a copy packed for one call. */
    private record Panels(float[] k, float[] v, int capacity, int headDim, int dPanels) {
        static Panels of(KvCache c) {
            return new Panels(c.k, c.v, c.capacity(), c.headDim(), (c.headDim() + NR - 1) / NR);
        }

        int keyIndex(int h, int pos) {
            return (h * (capacity / NR) + pos / NR) * headDim * NR + pos % NR;
        }

        int valueIndex(int h, int pos, int i) {
            return ((h * dPanels + i / NR) * capacity + pos) * NR + i % NR;
        }

        int valuePanelStride() {
            return capacity * NR;
        }

        private static final ThreadLocal<float[][]> BUF = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

        /** Packs positions [0, seen) of every kv head into the calling thread's buffers (read by the workers). */
        static Panels pack(float[] k, int kOff, int kPosStride, int kHeadStride, float[] v, int vOff, int vPosStride, int vHeadStride,
                           int seen, int kvHeads, int d, boolean parallel) {
            int cap = Math.max(NR, (seen + NR - 1) / NR * NR), dPanels = (d + NR - 1) / NR;
            long kSize = (long) kvHeads * cap * d, vSize = (long) kvHeads * dPanels * cap * NR;
            if (kSize > Integer.MAX_VALUE - 16 || vSize > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("k/v too large to pack");
            float[][] buf = BUF.get();
            if (buf[0].length < kSize) buf[0] = new float[(int) kSize];
            if (buf[1].length < vSize) buf[1] = new float[(int) vSize];
            Panels p = new Panels(buf[0], buf[1], cap, d, dPanels);
            int kPanels = cap / NR;
            // One item = one 16-key panel of one head: its K panel and the same 16 rows of every V panel.
            Parallel.BlockBody body = (i0, i1) -> {
                for (int it = i0; it < i1; it++) {
                    int h = it / kPanels, pp = it % kPanels;
                    p.packPanel(k, kOff, kPosStride, kHeadStride, v, vOff, vPosStride, vHeadStride, seen, h, pp);
                }
            };
            int items = kvHeads * kPanels;
            if (parallel && (long) items * NR * d >= 1 << 15) Parallel.forBlocks(items, body);
            else body.run(0, items);
            return p;
        }

        private void packPanel(float[] k, int kOff, int kPosStride, int kHeadStride, float[] v, int vOff, int vPosStride, int vHeadStride,
                               int seen, int h, int pp) {
            int d = headDim;
            int kBase = keyIndex(h, pp * NR);
            for (int c = 0; c < NR; c++) {
                int pos = pp * NR + c;
                int dst = kBase + c;
                if (pos < seen) {
                    int src = kOff + pos * kPosStride + h * kHeadStride;
                    for (int i = 0; i < d; i++) this.k[dst + i * NR] = k[src + i];
                } else {
                    for (int i = 0; i < d; i++) this.k[dst + i * NR] = 0f;
                }
            }
            for (int c = 0; c < NR; c++) {
                int pos = pp * NR + c;
                int src = vOff + pos * vPosStride + h * vHeadStride;
                for (int jd = 0; jd < dPanels; jd++) {
                    int dst = valueIndex(h, pos, jd * NR);
                    int i0 = jd * NR, n = Math.min(NR, d - i0);
                    if (pos < seen) {
                        System.arraycopy(v, src + i0, this.v, dst, n);
                        if (n < NR) Arrays.fill(this.v, dst + n, dst + NR, 0f);
                    } else {
                        Arrays.fill(this.v, dst, dst + NR, 0f);
                    }
                }
            }
        }
    }

    private record Job(float[] q, int qOff, int qStride, Panels kv, float[] out, int outOff, int outStride,
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
                    int src = qOff + t * qStride + h * d;
                    for (int i = 0; i < d; i++) s.qp[base + i * MR] = q[src + i] * scale;
                } else {
                    for (int i = 0; i < d; i++) s.qp[base + i * MR] = 0f;
                }
            }
            Arrays.fill(s.m, 0, rPad, Float.NEGATIVE_INFINITY);
            Arrays.fill(s.l, 0, rPad, 0f);
            Arrays.fill(s.o, 0, rPad * dPad, 0f);
            int kEnd = causal ? Math.min(seqK, qPos0 + t1) : seqK;
            float[] kSrc = kv.k(), vSrc = kv.v();
            int vPanelStride = kv.valuePanelStride();
            for (int kb = 0; kb < kEnd; kb += BK) {
                int nk = Math.min(BK, kEnd - kb);
                int kPanels = (nk + NR - 1) / NR;
                int kBase = kv.keyIndex(kvh, kb); // kb is a multiple of 16: a panel start
                int vBase = kv.valueIndex(kvh, kb, 0);
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
                        kernelRowsA(s.s, ir * MR * BK, BK, vSrc, vBase + jd * vPanelStride, nk, s.o, ir * MR * dPad + jd * NR, dPad);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int t = t0 + r / g, h = kvh * g + r % g;
                int dst = outOff + t * outStride + h * d;
                float inv = 1f / s.l[r]; // l = 0 (no visible key) gives NaN, as softmax over nothing does
                for (int i = 0; i < d; i++) out[dst + i] = s.o[r * dPad + i] * inv;
            }
        }

        /** One row's online-softmax step over this block's scores, turning row r of S into P in place (zero past valid). */
        private void softmaxRow(Scratch s, int r, int valid, int nk, int dPad) {
            float[] sc = s.s;
            int so = r * BK;
            if (valid <= 0) {
                Arrays.fill(sc, so, so + nk, 0f);
                return;
            }
            // Whole vectors over the valid keys; lanes past `valid` in the last one are masked to −∞ (e^−∞ = 0).
            // The score row has BK columns, so reading and writing a full last vector stays inside it.
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
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < valid; j += L) {
                FloatVector v = FloatVector.fromArray(F, sc, so + j);
                if (j + L > valid) v = v.blend(negInf, F.indexInRange(j, valid).not());
                FloatVector e = VectorMath.exp(v.sub(mv));
                acc = acc.add(e);
                e.intoArray(sc, so + j);
            }
            if (j < nk) Arrays.fill(sc, so + j, so + nk, 0f);
            float sum = VectorMath.sum(acc);
            s.l[r] = s.l[r] * alpha + sum;
            s.m[r] = mNew;
            if (alpha != 1f) {
                int oo = r * dPad;
                FloatVector av = FloatVector.broadcast(F, alpha);
                for (int i = 0; i < dPad; i += L) FloatVector.fromArray(F, s.o, oo + i).mul(av).intoArray(s.o, oo + i);
            }
        }
    }

    /**
     * {@link Gemm#kernel}'s 4×16 outer-product loop with A read as 4 plain rows {@code a[aOff + r*lda + p]} (P as the
     * softmax left it) instead of a packed panel; always accumulates into c.
     */
    static void kernelRowsA(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int a0i = aOff, a1i = aOff + lda, a2i = a1i + lda, a3i = a2i + lda;
        int ib = bOff;
        for (int p = 0; p < kc; p++, ib += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, ib);
            FloatVector b1 = FloatVector.fromArray(F, bp, ib + 8);
            FloatVector a0 = FloatVector.broadcast(F, a[a0i + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, a[a1i + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, a[a2i + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, a[a3i + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
        c00.add(FloatVector.fromArray(F, c, o0)).intoArray(c, o0);
        c01.add(FloatVector.fromArray(F, c, o0 + 8)).intoArray(c, o0 + 8);
        c10.add(FloatVector.fromArray(F, c, o1)).intoArray(c, o1);
        c11.add(FloatVector.fromArray(F, c, o1 + 8)).intoArray(c, o1 + 8);
        c20.add(FloatVector.fromArray(F, c, o2)).intoArray(c, o2);
        c21.add(FloatVector.fromArray(F, c, o2 + 8)).intoArray(c, o2 + 8);
        c30.add(FloatVector.fromArray(F, c, o3)).intoArray(c, o3);
        c31.add(FloatVector.fromArray(F, c, o3 + 8)).intoArray(c, o3 + 8);
    }

    /**
     * One query token against K and V as they lie in their arrays (a decode step over an array cache): per kv head,
     * the scores of its g query heads are dot products with K's rows, then a plain softmax over all kEnd keys, then
     * P·V accumulated 8 dimensions at a time over the keys (four chains). Nothing is packed: the work is
     * O(g·kEnd·d) against O(kEnd·d) to pack, so packing would cost about as much as the attention itself.
     */
    private record Decode(float[] q, int qOff, float[] k, int kOff, int kPosStride, int kHeadStride,
                          float[] v, int vOff, int vPosStride, int vHeadStride, float[] out, int outOff,
                          int kEnd, int g, int d, float scale) {

        // Three small methods rather than one: in a single large one C2 stopped inlining the Vector API calls and
        // ran them boxed (7x slower). No vector crosses a call.
        void unit(int kvh) {
            int n = Math.max(1, kEnd);
            float[] sc = DECODE_SCORES.get();
            if (sc.length < g * n) DECODE_SCORES.set(sc = new float[Math.max(g * n, 2 * sc.length)]);
            float[] qs = DECODE_Q.get();
            if (qs.length < g * d) DECODE_Q.set(qs = new float[g * d]);
            float[] acc = DECODE_OUT.get();
            if (acc.length < g * d) DECODE_OUT.set(acc = new float[g * d]);
            for (int j = 0; j < g; j++) {
                int qo = qOff + (kvh * g + j) * d;
                for (int i = 0; i < d; i++) qs[j * d + i] = q[qo + i] * scale;
            }
            Arrays.fill(acc, 0, g * d, 0f);
            // Keys in blocks of DECODE_BLOCK: the block's K (then V) rows stay in L1 while all g heads use them,
            // instead of each head streaming all of K and V from L2.
            int kBase = kOff + kvh * kHeadStride, vBase = vOff + kvh * vHeadStride;
            for (int p0 = 0; p0 < kEnd; p0 += DECODE_BLOCK) {
                int p1 = Math.min(kEnd, p0 + DECODE_BLOCK);
                for (int j = 0; j < g; j++) scores(qs, j * d, kBase, sc, j * n, p0, p1);
            }
            float[] inv = new float[g];
            for (int j = 0; j < g; j++) inv[j] = 1f / softmax(sc, j * n); // kEnd = 0 gives NaN, as softmax over nothing does
            for (int p0 = 0; p0 < kEnd; p0 += DECODE_BLOCK) {
                int p1 = Math.min(kEnd, p0 + DECODE_BLOCK);
                for (int j = 0; j < g; j++) weighted(sc, j * n, vBase, acc, j * d, p0, p1);
            }
            for (int j = 0; j < g; j++) {
                int dst = outOff + (kvh * g + j) * d;
                for (int i = 0; i < d; i++) out[dst + i] = acc[j * d + i] * inv[j];
            }
        }

        /** sc[so + p] = qs[qo ..] · K[p] for p in [p0, p1). */
        private void scores(float[] qs, int qo, int kBase, float[] sc, int so, int p0, int p1) {
            for (int p = p0; p < p1; p++) {
                int ko = kBase + p * kPosStride;
                FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
                int i = 0;
                for (; i + 4 * L <= d; i += 4 * L) {
                    a0 = FloatVector.fromArray(F, qs, qo + i).fma(FloatVector.fromArray(F, k, ko + i), a0);
                    a1 = FloatVector.fromArray(F, qs, qo + i + L).fma(FloatVector.fromArray(F, k, ko + i + L), a1);
                    a2 = FloatVector.fromArray(F, qs, qo + i + 2 * L).fma(FloatVector.fromArray(F, k, ko + i + 2 * L), a2);
                    a3 = FloatVector.fromArray(F, qs, qo + i + 3 * L).fma(FloatVector.fromArray(F, k, ko + i + 3 * L), a3);
                }
                for (; i + L <= d; i += L) a0 = FloatVector.fromArray(F, qs, qo + i).fma(FloatVector.fromArray(F, k, ko + i), a0);
                float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
                for (; i < d; i++) s = Math.fma(qs[qo + i], k[ko + i], s);
                sc[so + p] = s;
            }
        }

        /** sc[so + p] = e^(sc[so + p] − max) in place for p < kEnd; returns their sum. */
        private float softmax(float[] sc, int so) {
            FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            int p = 0;
            for (; p + L <= kEnd; p += L) mx = mx.max(FloatVector.fromArray(F, sc, so + p));
            float max = mx.reduceLanes(VectorOperators.MAX);
            for (; p < kEnd; p++) max = Math.max(max, sc[so + p]);
            FloatVector mv = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
            p = 0;
            for (; p + L <= kEnd; p += L) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, sc, so + p).sub(mv));
                acc = acc.add(e);
                e.intoArray(sc, so + p);
            }
            float sum = VectorMath.sum(acc);
            if (p < kEnd) { // the tail through one vector (copied out, so no masked memory access), same exp
                float[] t = new float[L];
                System.arraycopy(sc, so + p, t, 0, kEnd - p);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, t, 0).sub(mv)).blend(0f, F.indexInRange(p, kEnd).not());
                sum += VectorMath.sum(e);
                e.intoArray(t, 0);
                System.arraycopy(t, 0, sc, so + p, kEnd - p);
            }
            return sum;
        }

        /** acc[ao + i] += Σ_p sc[so + p]·V[p][i] over p in [p0, p1). */
        private void weighted(float[] sc, int so, int vBase, float[] acc, int ao, int p0, int p1) {
            int i = 0;
            // 64 dimensions at a time in 8 registers, walking V's rows in address order (one broadcast per 8 FMAs)
            for (; i + 8 * L <= d; i += 8 * L) {
                int a = ao + i;
                FloatVector o0 = FloatVector.fromArray(F, acc, a), o1 = FloatVector.fromArray(F, acc, a + L);
                FloatVector o2 = FloatVector.fromArray(F, acc, a + 2 * L), o3 = FloatVector.fromArray(F, acc, a + 3 * L);
                FloatVector o4 = FloatVector.fromArray(F, acc, a + 4 * L), o5 = FloatVector.fromArray(F, acc, a + 5 * L);
                FloatVector o6 = FloatVector.fromArray(F, acc, a + 6 * L), o7 = FloatVector.fromArray(F, acc, a + 7 * L);
                int vo = vBase + p0 * vPosStride + i;
                for (int p = p0; p < p1; p++, vo += vPosStride) {
                    FloatVector pv = FloatVector.broadcast(F, sc[so + p]);
                    o0 = FloatVector.fromArray(F, v, vo).fma(pv, o0);
                    o1 = FloatVector.fromArray(F, v, vo + L).fma(pv, o1);
                    o2 = FloatVector.fromArray(F, v, vo + 2 * L).fma(pv, o2);
                    o3 = FloatVector.fromArray(F, v, vo + 3 * L).fma(pv, o3);
                    o4 = FloatVector.fromArray(F, v, vo + 4 * L).fma(pv, o4);
                    o5 = FloatVector.fromArray(F, v, vo + 5 * L).fma(pv, o5);
                    o6 = FloatVector.fromArray(F, v, vo + 6 * L).fma(pv, o6);
                    o7 = FloatVector.fromArray(F, v, vo + 7 * L).fma(pv, o7);
                }
                o0.intoArray(acc, a);
                o1.intoArray(acc, a + L);
                o2.intoArray(acc, a + 2 * L);
                o3.intoArray(acc, a + 3 * L);
                o4.intoArray(acc, a + 4 * L);
                o5.intoArray(acc, a + 5 * L);
                o6.intoArray(acc, a + 6 * L);
                o7.intoArray(acc, a + 7 * L);
            }
            for (; i + L <= d; i += L) {
                FloatVector o0 = FloatVector.fromArray(F, acc, ao + i);
                int vo = vBase + p0 * vPosStride + i;
                for (int p = p0; p < p1; p++, vo += vPosStride) o0 = FloatVector.fromArray(F, v, vo).fma(FloatVector.broadcast(F, sc[so + p]), o0);
                o0.intoArray(acc, ao + i);
            }
            for (; i < d; i++) {
                float o = acc[ao + i];
                for (int p = p0; p < p1; p++) o = Math.fma(v[vBase + p * vPosStride + i], sc[so + p], o);
                acc[ao + i] = o;
            }
        }
    }

    /** Keys per block of the decode path: 64 keys' K (or V) rows of one head, 16 KB at d = 64, stay in L1. */
    private static final int DECODE_BLOCK = 64;
    private static final ThreadLocal<float[]> DECODE_OUT = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> DECODE_SCORES = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> DECODE_Q = ThreadLocal.withInitial(() -> new float[0]);

    /** Per-thread buffers, grown on demand. */
    private static final class Scratch {
        float[] qp = new float[0], s = new float[0], o = new float[0];
        float[] m = new float[0], l = new float[0];

        private static final ThreadLocal<Scratch> TL = ThreadLocal.withInitial(Scratch::new);

        static Scratch get(int rPad, int d, int dPad) {
            Scratch s = TL.get();
            if (s.qp.length < rPad * d) s.qp = new float[rPad * d];
            if (s.s.length < rPad * BK) s.s = new float[rPad * BK];
            if (s.o.length < rPad * dPad) s.o = new float[rPad * dPad];
            if (s.m.length < rPad) {
                s.m = new float[rPad];
                s.l = new float[rPad];
            }
            return s;
        }
    }
}
