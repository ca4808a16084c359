package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.core.Parallel;
import java.util.stream.Stream;

/**
 * Gemm and MatVec against the double-precision reference.
 *
 * <p>Tolerance, argued: both kernels form each output as f32 FMAs applied one after the other to a running sum
 * (per vector lane), plus a few extra additions: the k-block partial sums added into out (≤ k/1024 + 1), an 8-lane
 * reduction (3) and a scalar tail in MatVec, the per-block scale FMA in the Q8_0 matrix-vector path. Each product
 * a·w is exact inside an FMA, and weights decode to f32 exactly (bf16 and f16 are subsets of f32; Q8_0 is defined
 * as fl(q·s), and MatVec's q·x·s ordering differs from it by one more rounding). So every term passes through at
 * most k + 8 roundings, and by the standard bound for recursive summation (Higham, Accuracy and Stability, §3.1)
 * |computed − exact| ≤ γ_(k+8)·Σ_p |a_p·w_p|. The reference sums in double (error ~k·2⁻⁵³·Σ|aw|, absorbed in the
 * slack below) and is rounded to f32 once more: + u·|exact|. The bound is a worst case that a wrong index, a dropped
 * tail element or a missing block would exceed by orders of magnitude (those err by about |a·w| per term), while
 * typical rounding error is ~√k·u·Σ|aw|, far inside it.
 */
class GemmTest {

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(1, 1, 1),
                Arguments.of(1, 7, 5),       // matvec with k below one vector
                Arguments.of(2, 45, 9),      // matvec path, k not a multiple of 8 or 32
                Arguments.of(3, 33, 17),     // smallest packed-gemm m; one column past a panel
                Arguments.of(7, 13, 31),
                Arguments.of(7, 64, 16),
                Arguments.of(40, 19, 5),     // one column unit: rows are split between threads too
                Arguments.of(130, 600, 70),  // several 4-row panels and column units, ragged edges
                Arguments.of(9, 2100, 40),   // crosses the k block (1024) twice
                Arguments.of(1025, 24, 20),  // ViT's token count (1024 + class token)
                Arguments.of(5, 9, 4200));   // many column units (64 each), last one partial
    }

    static Stream<Arguments> shapesAndFormats() {
        return shapes().flatMap(s -> Stream.of(WeightMatrix.Format.values())
                .flatMap(f -> Stream.of(true, false).map(par -> Arguments.of(s.get()[0], s.get()[1], s.get()[2], f, par))));
    }

    @ParameterizedTest(name = "m={0} k={1} n={2} {3} forceParallel={4}")
    @MethodSource("shapesAndFormats")
    void matchesReference(int m, int k, int n, WeightMatrix.Format format, boolean forceParallel) {
        long saved = Gemm.parallelMinMacs, savedMv = MatVec.parallelMinBytes;
        // The small test shapes would all run inline on the caller; forcing the thread split covers those paths too.
        if (forceParallel) {
            Gemm.parallelMinMacs = 0;
            MatVec.parallelMinBytes = 0;
        }
        try {
            matchesReference(m, k, n, format);
        } finally {
            Gemm.parallelMinMacs = saved;
            MatVec.parallelMinBytes = savedMv;
        }
    }

    private void matchesReference(int m, int k, int n, WeightMatrix.Format format) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n + format.ordinal());
        float[] a = KernelTestData.gaussian(r, m * k, 1.0);
        WeightMatrix w = KernelTestData.weights(KernelTestData.gaussian(r, n * k, 0.05), n, k, format);
        float[] bias = r.nextBoolean() ? KernelTestData.gaussian(r, n, 0.1) : null;

        float[] want = ReferenceKernels.matmul(a, m, w, bias);
        double[] scale = ReferenceKernels.matmulAbs(a, m, w);

        // Array form with offsets on both sides, so an offset mix-up cannot pass.
        float[] aPadded = new float[m * k + 3];
        System.arraycopy(a, 0, aPadded, 3, m * k);
        float[] out = new float[m * n + 5];
        java.util.Arrays.fill(out, Float.NaN); // every output must be written
        Gemm.matmul(aPadded, 3, m, w, bias, out, 5);
        check(want, scale, bias, out, 5, k, "array");

        // Segment form.
        Arena arena = Arena.ofAuto();
        MemorySegment aSeg = arena.allocate(4L * m * k, 4), oSeg = arena.allocate(4L * m * n, 4);
        for (int i = 0; i < m * k; i++) aSeg.setAtIndex(ValueLayout.JAVA_FLOAT, i, a[i]);
        oSeg.fill((byte) 0x7F);
        Gemm.matmul(aSeg, m, w, bias, oSeg);
        float[] got = new float[m * n];
        for (int i = 0; i < m * n; i++) got[i] = oSeg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        check(want, scale, bias, got, 0, k, "segment");
    }

    static void check(float[] want, double[] scale, float[] bias, float[] got, int off, int k, String what) {
        double g = KernelTestData.gamma(k + 8);
        for (int i = 0; i < want.length; i++) {
            int j = i % (bias == null ? 1 : bias.length);
            double biasAbs = bias == null ? 0 : Math.abs(bias[j]);
            double tol = g * (scale[i] + biasAbs) + KernelTestData.U * Math.abs(want[i]) + Float.MIN_NORMAL;
            double err = Math.abs((double) got[off + i] - want[i]);
            if (!(err <= tol)) fail(what + ": output " + i + " = " + got[off + i] + ", want " + want[i] + " (|err| " + err + " > tol " + tol + ")");
        }
    }

    /** matmuls: several matrices sharing A give what one call per matrix gives, bitwise, and match the reference. */
    @Test
    void severalMatricesSharingA() {
        for (boolean forceParallel : new boolean[] {false, true}) {
            long saved = Gemm.parallelMinMacs, savedMv = MatVec.parallelMinBytes;
            if (forceParallel) {
                Gemm.parallelMinMacs = 0;
                MatVec.parallelMinBytes = 0;
            }
            try {
                for (int m : new int[] {1, 2, 3, 70}) {
                    for (WeightMatrix.Format f : WeightMatrix.Format.values()) {
                        SplittableRandom r = new SplittableRandom(m * 31L + f.ordinal());
                        int k = 45;
                        int[] ns = {70, 16, 5};
                        float[] a = KernelTestData.gaussian(r, m * k + 2, 1.0);
                        WeightMatrix[] ws = new WeightMatrix[ns.length];
                        float[][] biases = new float[ns.length][], outs = new float[ns.length][];
                        int[] offs = {0, 3, 1};
                        for (int i = 0; i < ns.length; i++) {
                            ws[i] = KernelTestData.weights(KernelTestData.gaussian(r, ns[i] * k, 0.05), ns[i], k, f);
                            biases[i] = i == 1 ? null : KernelTestData.gaussian(r, ns[i], 0.1);
                            outs[i] = new float[offs[i] + m * ns[i]];
                        }
                        Gemm.matmuls(a, 2, m, ws, biases, outs, offs);
                        float[] a0 = java.util.Arrays.copyOfRange(a, 2, 2 + m * k);
                        for (int i = 0; i < ns.length; i++) {
                            float[] one = new float[m * ns[i]];
                            Gemm.matmul(a, 2, m, ws[i], biases[i], one, 0);
                            assertTrue(java.util.Arrays.equals(one, java.util.Arrays.copyOfRange(outs[i], offs[i], offs[i] + m * ns[i])),
                                    "m=" + m + " " + f + " matrix " + i);
                            check(ReferenceKernels.matmul(a0, m, ws[i], biases[i]), ReferenceKernels.matmulAbs(a0, m, ws[i]), biases[i],
                                    outs[i], offs[i], k, "matmuls m=" + m + " " + f + " matrix " + i);
                        }
                    }
                }
            } finally {
                Gemm.parallelMinMacs = saved;
                MatVec.parallelMinBytes = savedMv;
            }
        }
    }

    @Test
    void sameResultOnOneAndThreeThreads() {
        int m = 37, k = 70, n = 90;
        SplittableRandom r = new SplittableRandom(5);
        float[] a = KernelTestData.gaussian(r, m * k, 1.0);
        WeightMatrix w = KernelTestData.weights(KernelTestData.gaussian(r, n * k, 0.1), n, k, WeightMatrix.Format.BF16);
        int before = Parallel.threads();
        try {
            float[][] outs = new float[3][];
            int[] counts = {1, 3, before};
            for (int t = 0; t < counts.length; t++) {
                Parallel.setThreads(counts[t]);
                outs[t] = new float[m * n];
                Gemm.matmul(a, m, w, null, outs[t]);
            }
            // The split changes which thread computes an output, never the order of its sum: bitwise equal.
            for (int t = 1; t < counts.length; t++) assertTrue(java.util.Arrays.equals(outs[0], outs[t]), "threads=" + counts[t]);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void bf16RoundingIsToNearestEven() {
        assertEquals((short) 0x3F80, WeightMatrix.floatToBf16(1.0f));
        assertEquals((short) 0x3F80, WeightMatrix.floatToBf16(Float.intBitsToFloat(0x3F808000))); // tie -> even (down)
        assertEquals((short) 0x3F82, WeightMatrix.floatToBf16(Float.intBitsToFloat(0x3F818000))); // tie -> even (up)
        assertEquals((short) 0x3F81, WeightMatrix.floatToBf16(Float.intBitsToFloat(0x3F808001)));
        assertTrue(Float.isNaN(WeightMatrix.bf16ToFloat(WeightMatrix.floatToBf16(Float.NaN))));
    }
}
