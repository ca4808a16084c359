package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.core.DType;

/**
 * The OpenBLAS backend against the pure-Java one, and its error when the library is missing.
 *
 * <p>Tolerance, argued: both backends see bit-identical operands (A as given; W decoded to the same f32 values — bf16
 * and f16 widen exactly, Q8_0 is defined as fl(q·s) and both decode it through {@link WeightMatrix#get}), so they
 * differ only in the order and blocking of the f32 sums. Java's result is within γ_(k+8)·Σ|a||w| of the exact sum
 * (GemmTest); OpenBLAS forms each output from k exact-in-FMA (or once-rounded) products accumulated in some order
 * with blocking, plus one addition onto the bias (beta = 1), so it is within γ_(k+2)·(Σ|a||w| + |bias|). Their
 * difference is therefore within 2·γ_(k+8)·(Σ|a||w| + |bias|). Layout errors (a transposed W, a wrong ld, a lost
 * tail, a missing bias) are off by about |a·w| per term, orders of magnitude above that.
 */
class NativeBlasTest {

    @AfterEach
    void restoreDefault() {
        Gemm.setBackend(Gemm.Backend.JAVA);
    }

    @Test
    void loadFailureNamesWhatIsMissingAndHowToInstall() {
        NativeBlas.Binding b = NativeBlas.load(List.of("/nonexistent/libopenblas.so.0", "libnotopenblas-xyz.so.0"));
        assertFalse(b.ok());
        String e = b.error();
        assertTrue(e.contains("OpenBLAS") && e.contains("cblas_sgemm"), e);
        assertTrue(e.contains("/nonexistent/libopenblas.so.0") && e.contains("libnotopenblas-xyz.so.0"), e);
        assertTrue(e.contains("apt-get install -y libopenblas0-pthread"), e);
        assertTrue(e.contains("-Dtessera.blas="), e);
    }

    @Test
    void nativeBackendWithoutLibraryFailsClearly() {
        assumeFalse(NativeBlas.isAvailable(), "OpenBLAS is installed here; the agreement tests cover this machine");
        Gemm.setBackend(Gemm.Backend.NATIVE);
        WeightMatrix w = WeightMatrix.ofFloats(new float[8 * 8], 8, 8);
        for (int m : new int[] {1, 16}) { // both the matrix-vector and the packed shape fail, not just one
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gemm.matmul(new float[m * 8], m, w, null, new float[m * 8]));
            assertTrue(e.getMessage().contains("tessera.backend=native") && e.getMessage().contains("libopenblas0-pthread"), e.getMessage());
        }
        // AUTO quietly stays on Java when the library is absent.
        Gemm.setBackend(Gemm.Backend.AUTO);
        Gemm.matmul(new float[16 * 8], 16, w, null, new float[16 * 8]);
    }

    @Test
    void backendNamesParse() {
        assertEquals(Gemm.Backend.JAVA, Gemm.Backend.parse("java"));
        assertEquals(Gemm.Backend.NATIVE, Gemm.Backend.parse(" Native "));
        assertEquals(Gemm.Backend.AUTO, Gemm.Backend.parse("AUTO"));
        assertThrows(IllegalArgumentException.class, () -> Gemm.Backend.parse("cuda"));
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(1, 7, 1025),    // m = 1: matrix-vector stays on Java under either backend
                Arguments.of(3, 7, 1025),    // smallest m that reaches the native path; k below one vector
                Arguments.of(7, 1025, 1),    // n = 1, k = 1025 (not a multiple of 8 or 32)
                Arguments.of(1025, 7, 7),    // tall and thin
                Arguments.of(65, 1023, 129));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void nativeAgreesWithJava(int m, int k, int n) {
        assumeTrue(NativeBlas.isAvailable(), () -> "no OpenBLAS: " + NativeBlas.unavailableReason());
        for (WeightMatrix.Format f : WeightMatrix.Format.values()) {
            for (boolean withBias : new boolean[] {false, true}) {
                check(m, k, n, f, withBias, Gemm.Backend.NATIVE);
            }
        }
    }

    @Test
    void autoAgreesWithJava() {
        assumeTrue(NativeBlas.isAvailable(), () -> "no OpenBLAS: " + NativeBlas.unavailableReason());
        check(65, 1023, 129, WeightMatrix.Format.BF16, true, Gemm.Backend.AUTO);
    }

    private static void check(int m, int k, int n, WeightMatrix.Format f, boolean withBias, Gemm.Backend backend) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n + f.ordinal());
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(arena, r, n, k, f);
            float[] a = new float[m * k];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
            float[] bias = withBias ? new float[n] : null;
            if (bias != null) for (int j = 0; j < n; j++) bias[j] = (float) (r.nextDouble() * 2 - 1);

            float[] want = new float[m * n];
            Gemm.matmulJava(a, 0, m, w, bias, want, 0);

            Gemm.setBackend(backend);
            // Array form, at an offset (checks that the offset reaches the native call)...
            float[] aOff = new float[3 + m * k], got = new float[5 + m * n];
            System.arraycopy(a, 0, aOff, 3, a.length);
            Gemm.matmul(aOff, 3, m, w, bias, got, 5);
            // ...and the segment form, both native memory.
            MemorySegment aSeg = arena.allocate(4L * m * k), oSeg = arena.allocate(4L * m * n);
            MemorySegment.copy(a, 0, aSeg, WeightMatrix.F32_LE, 0, a.length);
            Gemm.matmul(aSeg, m, w, bias, oSeg);
            Gemm.setBackend(Gemm.Backend.JAVA);

            double gamma = gamma(k + 8);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double absSum = bias == null ? 0 : Math.abs(bias[j]);
                    for (int p = 0; p < k; p++) absSum += Math.abs((double) a[i * k + p] * w.get(j, p));
                    double tol = 2 * gamma * absSum + Double.MIN_NORMAL;
                    float e = want[i * n + j];
                    float g1 = got[5 + i * n + j], g2 = oSeg.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
                    String where = f + " " + m + "x" + k + "x" + n + (withBias ? " +bias" : "") + " [" + i + "," + j + "]";
                    assertTrue(Math.abs(g1 - e) <= tol, () -> where + " array: java " + e + " native " + g1 + " tol " + tol);
                    assertTrue(Math.abs(g2 - e) <= tol, () -> where + " segment: java " + e + " native " + g2 + " tol " + tol);
                }
            }
            for (int i = 0; i < 5; i++) assertEquals(0f, got[i], "native call wrote before its offset");
        }
    }

    private static double gamma(int j) {
        double u = Math.scalb(1.0, -24);
        return j * u / (1 - j * u);
    }

    private static WeightMatrix weights(Arena arena, SplittableRandom r, int n, int k, WeightMatrix.Format f) {
        MemorySegment seg = arena.allocate((long) n * k * (f == WeightMatrix.Format.BF16 || f == WeightMatrix.Format.F16 ? 2 : 4), 64);
        for (long i = 0; i < (long) n * k; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            switch (f) {
                case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, WeightMatrix.floatToBf16(v));
                case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(v));
                default -> seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
        }
        DType dt = switch (f) {
            case BF16 -> DType.BF16;
            case F16 -> DType.F16;
            default -> DType.F32;
        };
        WeightMatrix w = WeightMatrix.of(seg, dt, n, k);
        return f == WeightMatrix.Format.Q8_0 ? w.quantizeQ8(arena) : w;
    }
}
