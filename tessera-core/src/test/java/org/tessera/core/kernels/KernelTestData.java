package org.tessera.core.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.tessera.core.DType;

/** Random operands for kernel tests. */
final class KernelTestData {
    static final double U = 0x1p-24; // unit roundoff of f32 (round to nearest)

    private KernelTestData() {}

    static float[] gaussian(SplittableRandom r, int len, double sigma) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) (nextGaussian(r) * sigma);
        return v;
    }

    static double nextGaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A weight matrix of the given format filled from {@code values} (rounded to bf16/f16 where needed; Q8_0 quantised). */
    static WeightMatrix weights(float[] values, int n, int k, WeightMatrix.Format f) {
        Arena arena = Arena.ofAuto();
        switch (f) {
            case F32 -> {
                MemorySegment s = arena.allocate(4L * n * k, 4);
                for (int i = 0; i < n * k; i++) s.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
                return WeightMatrix.of(s, DType.F32, n, k);
            }
            case BF16, F16 -> {
                // Odd byte offset inside a larger segment: mapped tensors need not be aligned.
                MemorySegment s = arena.allocate(2L * n * k + 1, 1).asSlice(1);
                for (int i = 0; i < n * k; i++) {
                    short bits = f == WeightMatrix.Format.BF16 ? WeightMatrix.floatToBf16(values[i]) : Float.floatToFloat16(values[i]);
                    s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, bits);
                }
                return WeightMatrix.of(s, f == WeightMatrix.Format.BF16 ? DType.BF16 : DType.F16, n, k);
            }
            case Q8_0 -> {
                return WeightMatrix.ofFloats(values, n, k).quantizeQ8(arena);
            }
        }
        throw new AssertionError(f);
    }

    /** γ_j = j·u/(1 − j·u): Higham's bound factor for j successive roundings. */
    static double gamma(int j) {
        return j * U / (1 - j * U);
    }
}
