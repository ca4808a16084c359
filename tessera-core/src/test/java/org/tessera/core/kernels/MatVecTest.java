package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MatVec (the m = 1 path) against the double-precision reference at the bound argued in {@link GemmTest}:
 * |error| ≤ γ_(k+8)·Σ|x·w| (+ bias, + one rounding of the reference). The k values cover each loop of the kernels:
 * the BF16 kernel's 32-weight steps, its one 16-weight step, the scalar tail past the last multiple of 16, and
 * rows shorter than one step; several matrices in one {@link MatVec#matvecs} call cover the split of their rows
 * laid end to end over threads (with the threshold forced to 0, so small shapes take the parallel path too).
 */
class MatVecTest {

    static Stream<Arguments> cases() {
        int[] ks = {1, 7, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 80, 95, 896, 1000};
        return Arrays.stream(ks).boxed().flatMap(k -> Stream.of(WeightMatrix.Format.values())
                .flatMap(f -> Stream.of(true, false).map(par -> Arguments.of(k, f, par))));
    }

    @ParameterizedTest(name = "k={0} {1} forceParallel={2}")
    @MethodSource("cases")
    void severalMatricesMatchReference(int k, WeightMatrix.Format format, boolean forceParallel) {
        long saved = MatVec.parallelMinBytes;
        if (forceParallel) MatVec.parallelMinBytes = 0;
        try {
            SplittableRandom r = new SplittableRandom(17L * k + format.ordinal());
            int[] rows = {37, 5, 1, 66}; // not multiples of the 4-row grain: the thread split lands inside matrices
            WeightMatrix[] ws = new WeightMatrix[rows.length];
            float[][] biases = new float[rows.length][], ys = new float[rows.length][];
            int[] offs = new int[rows.length];
            float[] x = KernelTestData.gaussian(r, k + 9, 1.0);
            int xOff = 9;
            float[] xs = Arrays.copyOfRange(x, xOff, xOff + k);
            for (int i = 0; i < rows.length; i++) {
                ws[i] = KernelTestData.weights(KernelTestData.gaussian(r, rows[i] * k, 0.05), rows[i], k, format);
                biases[i] = i % 2 == 0 ? KernelTestData.gaussian(r, rows[i], 0.1) : null;
                offs[i] = 3 * i;
                ys[i] = new float[rows[i] + offs[i] + 2];
                Arrays.fill(ys[i], Float.NaN);
            }
            MatVec.matvecs(x, xOff, ws, biases, ys, offs);
            for (int i = 0; i < rows.length; i++) {
                float[] want = ReferenceKernels.matmul(xs, 1, ws[i], biases[i]);
                double[] scale = ReferenceKernels.matmulAbs(xs, 1, ws[i]);
                GemmTest.check(want, scale, biases[i], ys[i], offs[i], k, "matrix " + i);
                // nothing outside the output range is written
                for (int j = 0; j < offs[i]; j++) assertArrayEquals(new float[] {Float.NaN}, new float[] {ys[i][j]});
                for (int j = offs[i] + rows[i]; j < ys[i].length; j++) assertArrayEquals(new float[] {Float.NaN}, new float[] {ys[i][j]});
            }
            // One at a time gives the same bits: a row's sum does not depend on the split.
            for (int i = 0; i < rows.length; i++) {
                float[] one = new float[rows[i]];
                MatVec.matvec(x, xOff, ws[i], biases[i], one, 0);
                assertArrayEquals(one, Arrays.copyOfRange(ys[i], offs[i], offs[i] + rows[i]), "matrix " + i + " alone");
            }
        } finally {
            MatVec.parallelMinBytes = saved;
        }
    }

    @Test
    void matricesMustShareK() {
        WeightMatrix a = WeightMatrix.ofFloats(new float[8], 2, 4), b = WeightMatrix.ofFloats(new float[10], 2, 5);
        assertThrows(IllegalArgumentException.class, () ->
                MatVec.matvecs(new float[5], 0, new WeightMatrix[] {a, b}, null, new float[][] {new float[2], new float[2]}, new int[2]));
    }
}
