package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Blocked online-softmax attention against the plain double-precision formula.
 *
 * <p>Tolerance, argued: each score is an f32 dot product of d terms of the pre-scaled q (one extra rounding), so
 * |Δs_j| ≤ Δ := γ_(d+2)·max_j Σ_i |q_i k_ji|·scale. Perturbing every score by at most Δ changes each softmax weight
 * by a factor within e^(±2Δ), hence the output by ≤ (e^(2Δ) − 1)·Σ p|v|. On top: every p_j has its exp (≤ 2u) and
 * the subtraction s − m (u·|s − m|, small here since |s| is O(1)); the per-block rescaling by α multiplies O and l
 * alike, so it cancels in O/l except for one rounding each per block; O and l are sums of ≤ seqK + blocks terms
 * (γ_(seqK+blocks) relative to Σ p|v|); the final division is u. Summed and doubled for slack:
 * |err| ≤ (e^(2Δ) − 1 + 2·(seqK + 3·blocks + 8 + max|s|)·u)·Σ p|v|.
 */
class AttentionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // seqQ, seqK, heads, kvHeads, headDim, causal, qPos0
                Arguments.of(1, 1, 1, 1, 8, false, 0),
                Arguments.of(7, 7, 2, 2, 24, false, 0),      // d not a multiple of 16
                Arguments.of(130, 130, 3, 3, 64, false, 0),  // ViT-like, crosses key blocks and unit blocks
                Arguments.of(70, 70, 4, 2, 32, true, 0),     // causal prefill, GQA 2
                Arguments.of(33, 33, 14, 2, 64, true, 0),    // Qwen2-0.5B head layout (G = 7)
                Arguments.of(1, 150, 14, 2, 64, true, 149),  // decode step over a 150-entry cache
                Arguments.of(5, 200, 6, 1, 16, true, 195),   // chunked prefill after a cache (multi-query)
                Arguments.of(3, 65, 2, 1, 130, false, 0),    // d > 128, not a multiple of 8
                // decode steps (one query token, the direct path): key counts below / across a vector, d tails
                Arguments.of(1, 3, 4, 2, 20, true, 2),
                Arguments.of(1, 77, 4, 2, 20, false, 0),
                Arguments.of(1, 9, 2, 1, 130, true, 8),
                Arguments.of(1, 600, 14, 2, 64, true, 599),
                Arguments.of(1, 40, 3, 3, 7, true, 20));     // causal limit inside the keys: sees 21 of 40
    }

    @ParameterizedTest(name = "seqQ={0} seqK={1} heads={2}/{3} d={4} causal={5} pos0={6}")
    @MethodSource("cases")
    void matchesReference(int seqQ, int seqK, int nHeads, int nKv, int d, boolean causal, int qPos0) {
        for (boolean forceParallel : new boolean[] {false, true}) {
            long saved = Gemm.parallelMinMacs;
            if (forceParallel) Gemm.parallelMinMacs = 0;
            try {
                check(seqQ, seqK, nHeads, nKv, d, causal, qPos0, 100L * seqQ + seqK + d);
            } finally {
                Gemm.parallelMinMacs = saved;
            }
        }
    }

    private static void check(int seqQ, int seqK, int nHeads, int nKv, int d, boolean causal, int qPos0, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] q = KernelTestData.gaussian(r, seqQ * nHeads * d, 1.0);
        float[] k = KernelTestData.gaussian(r, seqK * nKv * d, 1.0);
        float[] v = KernelTestData.gaussian(r, seqK * nKv * d, 1.0);
        float scale = (float) (1 / Math.sqrt(d));
        float[] out = new float[seqQ * nHeads * d];
        java.util.Arrays.fill(out, Float.NaN);
        Attention.attention(q, k, v, out, seqQ, seqK, nHeads, nKv, d, scale, causal, qPos0);
        ReferenceKernels.AttentionResult want = ReferenceKernels.attention(q, k, v, seqQ, seqK, nHeads, nKv, d, scale, causal, qPos0);
        assertClose(out, want, seqQ, seqK, nHeads, d);
    }

    /** The tolerance of the class comment, for the output of q [seqQ][nHeads][d] against the reference. */
    static void assertClose(float[] out, ReferenceKernels.AttentionResult want, int seqQ, int seqK, int nHeads, int d) {
        int blocks = (seqK + Attention.BK - 1) / Attention.BK;
        double u = KernelTestData.U;
        for (int t = 0; t < seqQ; t++) {
            for (int h = 0; h < nHeads; h++) {
                double delta = KernelTestData.gamma(d + 2) * want.maxScoreAbs()[t * nHeads + h];
                double factor = Math.expm1(2 * delta) + 2 * (seqK + 3 * blocks + 8 + want.maxScoreAbs()[t * nHeads + h]) * u;
                for (int i = 0; i < d; i++) {
                    int idx = (t * nHeads + h) * d + i;
                    double err = Math.abs(out[idx] - want.out()[idx]);
                    double tol = factor * want.pAbsV()[idx];
                    if (!(err <= tol)) fail("t " + t + " head " + h + " i " + i + ": " + out[idx] + " want " + want.out()[idx] + " err " + err + " tol " + tol);
                }
            }
        }
    }

    /**
     * q read from inside wider rows at an offset (the ViT's fused qkv rows) and out written at an offset with its own
     * stride give exactly what contiguous q and out give; nothing outside out's rows is written.
     */
    @Test
    void queryAndOutputOffsetsAndStrides() {
        for (int seqQ : new int[] {1, 70}) {
            int seqK = 70, nHeads = 4, nKv = 2, d = 24, qStride = 3 * nHeads * d + 5, outStride = nHeads * d + 3, qOff = 11, outOff = 7;
            SplittableRandom r = new SplittableRandom(21 + seqQ);
            float[] q = KernelTestData.gaussian(r, seqQ * nHeads * d, 1.0);
            float[] k = KernelTestData.gaussian(r, seqK * nKv * d, 1.0), v = KernelTestData.gaussian(r, seqK * nKv * d, 1.0);
            float[] qWide = KernelTestData.gaussian(r, qOff + seqQ * qStride, 1.0);
            for (int t = 0; t < seqQ; t++) System.arraycopy(q, t * nHeads * d, qWide, qOff + t * qStride, nHeads * d);
            float[] want = new float[seqQ * nHeads * d];
            Attention.attention(q, k, v, want, seqQ, seqK, nHeads, nKv, d, 0.2f, true, seqK - seqQ);
            float[] got = new float[outOff + seqQ * outStride];
            java.util.Arrays.fill(got, Float.NaN);
            Attention.attention(qWide, qOff, qStride, k, 0, nKv * d, d, v, 0, nKv * d, d, got, outOff, outStride,
                    seqQ, seqK, nHeads, nKv, d, 0.2f, true, seqK - seqQ);
            for (int t = 0; t < seqQ; t++) {
                float[] row = java.util.Arrays.copyOfRange(got, outOff + t * outStride, outOff + t * outStride + nHeads * d);
                assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(want, t * nHeads * d, (t + 1) * nHeads * d), row), "token " + t);
                for (int i = nHeads * d; i < outStride && outOff + t * outStride + i < got.length; i++) {
                    assertTrue(Float.isNaN(got[outOff + t * outStride + i]), "written outside the row");
                }
            }
            for (int i = 0; i < outOff; i++) assertTrue(Float.isNaN(got[i]), "written before outOff");
        }
    }

    /** Strided cache layout [kvHead][maxPos][d] gives the same result as the packed [pos][kvHead][d] one. */
    @Test
    void stridedCacheLayout() {
        int seqK = 90, maxPos = 128, nKv = 2, nHeads = 4, d = 16;
        SplittableRandom r = new SplittableRandom(9);
        float[] q = KernelTestData.gaussian(r, nHeads * d, 1.0);
        float[] k = KernelTestData.gaussian(r, seqK * nKv * d, 1.0), v = KernelTestData.gaussian(r, seqK * nKv * d, 1.0);
        float[] kc = new float[nKv * maxPos * d + 5], vc = new float[nKv * maxPos * d + 5];
        for (int p = 0; p < seqK; p++) {
            for (int h = 0; h < nKv; h++) {
                System.arraycopy(k, (p * nKv + h) * d, kc, 5 + (h * maxPos + p) * d, d);
                System.arraycopy(v, (p * nKv + h) * d, vc, 5 + (h * maxPos + p) * d, d);
            }
        }
        float[] a = new float[nHeads * d], b = new float[nHeads * d];
        Attention.attention(q, k, v, a, 1, seqK, nHeads, nKv, d, 0.25f, true, seqK - 1);
        Attention.attention(q, kc, 5, d, maxPos * d, vc, 5, d, maxPos * d, b, 1, seqK, nHeads, nKv, d, 0.25f, true, seqK - 1);
        assertTrue(java.util.Arrays.equals(a, b));
    }

    /** Large logits (|s| up to ~50) must not overflow: the running max keeps every exponent ≤ 0. */
    @Test
    void largeLogitsStayFinite() {
        int seq = 100, d = 32;
        SplittableRandom r = new SplittableRandom(10);
        float[] q = KernelTestData.gaussian(r, seq * d, 8.0), k = KernelTestData.gaussian(r, seq * d, 8.0), v = KernelTestData.gaussian(r, seq * d, 1.0);
        float[] out = new float[seq * d];
        Attention.attention(q, k, v, out, seq, seq, 1, 1, d, 1f / (float) Math.sqrt(d), false, 0);
        for (float x : out) assertTrue(Float.isFinite(x) && Math.abs(x) < 6);
    }
}
