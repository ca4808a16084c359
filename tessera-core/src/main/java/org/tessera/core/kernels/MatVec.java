package org.tessera.core.kernels;

import static org.tessera.core.kernels.WeightMatrix.F32_LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * Streaming matrix-vector product {@code y[n] = W[n, k] · x[k] (+ bias)}, the m = 1 (decode) case of {@link Gemm}.
 *
 * <p>Here every weight is used once, so the only cost that matters is reading W from memory: the kernel touches each
 * weight byte exactly once, in its stored dtype, in address order (so the hardware prefetchers see one sequential
 * stream per row). Widening happens in registers: BF16 is a sign-extend-and-shift ({@code vpmovsxwd; vpslld 16}),
 * F16 is an exponent re-bias (see {@link #f16ToF32}), Q8_0 is {@code vpmovsxbd; vcvtdq2ps} with the block scale
 * applied once per 32 weights. Four rows are walked together so that each x vector (kept in L1) is loaded once per
 * four rows and four FMA chains run in parallel, hiding the FMA latency.
 *
 * <p>Accuracy: every lane is a sequential FMA chain of k/8 terms, then an 8-lane tree reduction and a scalar tail,
 * so fewer than k+4 roundings touch any product: |error| ≤ γ_(k+4)·Σ|x||w|, as for {@link Gemm}.
 */
public final class MatVec {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows per parallel work unit: 64 rows of k=896 bf16 is ~115 KB, well above the hand-off cost. */
    private static final int ROWS_PER_GRAIN = 64;

    private MatVec() {}

    /** {@code y[yOff + j] = Σ_p x[xOff + p]·W[j, p] + bias[j]} for j < n. bias may be null. */
    public static void matvec(float[] x, int xOff, WeightMatrix w, float[] bias, float[] y, int yOff) {
        int n = w.rows(), k = w.cols();
        Objects.checkFromIndexSize(xOff, k, x.length);
        Objects.checkFromIndexSize(yOff, n, y.length);
        if (bias != null && bias.length < n) throw new IllegalArgumentException("bias has " + bias.length + " values, needs " + n);
        if ((long) n * k < Gemm.parallelMinMacs) { // hand-off would cost more than the work
            rows(x, xOff, w, bias, y, yOff, 0, n);
            return;
        }
        int grains = (n + ROWS_PER_GRAIN - 1) / ROWS_PER_GRAIN;
        Parallel.forBlocks(grains, (g0, g1) ->
                rows(x, xOff, w, bias, y, yOff, g0 * ROWS_PER_GRAIN, Math.min(n, g1 * ROWS_PER_GRAIN)));
    }

    /** As the array form with x ([k]) and y ([n]) as little-endian f32 segments. */
    public static void matvec(MemorySegment x, WeightMatrix w, float[] bias, MemorySegment y) {
        int n = w.rows(), k = w.cols();
        // k and n floats: copying is noise next to reading n·k weights, and keeps one kernel per format.
        float[] xa = new float[k];
        for (int p = 0; p < k; p++) xa[p] = x.get(F32_LE, 4L * p);
        float[] ya = new float[n];
        matvec(xa, 0, w, bias, ya, 0);
        for (int j = 0; j < n; j++) y.set(F32_LE, 4L * j, ya[j]);
    }

    private static void rows(float[] x, int xOff, WeightMatrix w, float[] bias, float[] y, int yOff, int j0, int j1) {
        int j = j0;
        switch (w.format()) {
            case F32 -> {
                for (; j + 4 <= j1; j += 4) f32Rows4(w, j, x, xOff, y, yOff);
                for (; j < j1; j++) y[yOff + j] = f32Row(w, j, x, xOff);
            }
            case BF16 -> {
                for (; j + 4 <= j1; j += 4) bf16Rows4(w, j, x, xOff, y, yOff);
                for (; j < j1; j++) y[yOff + j] = bf16Row(w, j, x, xOff);
            }
            case F16 -> {
                for (; j + 4 <= j1; j += 4) f16Rows4(w, j, x, xOff, y, yOff);
                for (; j < j1; j++) y[yOff + j] = f16Row(w, j, x, xOff);
            }
            case Q8_0 -> {
                for (; j + 4 <= j1; j += 4) q8Rows4(w, j, x, xOff, y, yOff);
                for (; j < j1; j++) y[yOff + j] = q8Row(w, j, x, xOff);
            }
        }
        if (bias != null) for (int r = j0; r < j1; r++) y[yOff + r] += bias[r];
    }

    // ---- F32 -------------------------------------------------------------------------------------------------

    private static void f32Rows4(WeightMatrix w, int j, float[] x, int xOff, float[] y, int yOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rb = w.rowBytes();
        long r0 = j * rb, r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + p);
            long o = 4L * p;
            a0 = FloatVector.fromMemorySegment(F, d, r0 + o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, d, r1 + o, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, d, r2 + o, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, d, r3 + o, LE).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float xv = x[xOff + p];
            long o = 4L * p;
            s0 = Math.fma(d.get(F32_LE, r0 + o), xv, s0);
            s1 = Math.fma(d.get(F32_LE, r1 + o), xv, s1);
            s2 = Math.fma(d.get(F32_LE, r2 + o), xv, s2);
            s3 = Math.fma(d.get(F32_LE, r3 + o), xv, s3);
        }
        y[yOff + j] = s0;
        y[yOff + j + 1] = s1;
        y[yOff + j + 2] = s2;
        y[yOff + j + 3] = s3;
    }

    private static float f32Row(WeightMatrix w, int j, float[] x, int xOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        FloatVector a0 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) a0 = FloatVector.fromMemorySegment(F, d, r0 + 4L * p, LE).fma(FloatVector.fromArray(F, x, xOff + p), a0);
        float s = a0.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) s = Math.fma(d.get(F32_LE, r0 + 4L * p), x[xOff + p], s);
        return s;
    }

    // ---- BF16 ------------------------------------------------------------------------------------------------

    /** 8 bf16 (16 bytes) at {@code off} widened to f32: sign-extend to 32 bits, then shift the payload to the top half. */
    static FloatVector bf16ToF32(MemorySegment d, long off) {
        ShortVector s = ShortVector.fromMemorySegment(S, d, off, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static void bf16Rows4(WeightMatrix w, int j, float[] x, int xOff, float[] y, int yOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rb = w.rowBytes();
        long r0 = j * rb, r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + p);
            long o = 2L * p;
            a0 = bf16ToF32(d, r0 + o).fma(xv, a0);
            a1 = bf16ToF32(d, r1 + o).fma(xv, a1);
            a2 = bf16ToF32(d, r2 + o).fma(xv, a2);
            a3 = bf16ToF32(d, r3 + o).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float xv = x[xOff + p];
            long o = 2L * p;
            s0 = Math.fma(bf16(d, r0 + o), xv, s0);
            s1 = Math.fma(bf16(d, r1 + o), xv, s1);
            s2 = Math.fma(bf16(d, r2 + o), xv, s2);
            s3 = Math.fma(bf16(d, r3 + o), xv, s3);
        }
        y[yOff + j] = s0;
        y[yOff + j + 1] = s1;
        y[yOff + j + 2] = s2;
        y[yOff + j + 3] = s3;
    }

    private static float bf16(MemorySegment d, long off) {
        return Float.intBitsToFloat(d.get(WeightMatrix.I16_LE, off) << 16);
    }

    private static float bf16Row(WeightMatrix w, int j, float[] x, int xOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        FloatVector a0 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) a0 = bf16ToF32(d, r0 + 2L * p).fma(FloatVector.fromArray(F, x, xOff + p), a0);
        float s = a0.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) s = Math.fma(bf16(d, r0 + 2L * p), x[xOff + p], s);
        return s;
    }

    // ---- F16 -------------------------------------------------------------------------------------------------

    /**
     * 8 IEEE half floats at {@code off} widened to f32, exactly. The Vector API has no half-to-float conversion, so:
     * moving the 15 magnitude bits up by 13 lines the f16 exponent and mantissa up with f32's, giving the value
     * scaled by 2^(15−127) = 2⁻¹¹²; multiplying by 2¹¹² restores it (exact: a power of two, no overflow since the
     * largest finite half, 65504, stays far below f32's range; half subnormals become f32 subnormals first and the
     * multiply normalises them). The exponent-31 lanes (±inf, NaN) would come out finite that way, so they get an
     * all-ones f32 exponent by blend instead (NaNs keep their payload and come out quiet, as vcvtph2ps makes them).
     * The sign goes back on last.
     */
    static FloatVector f16ToF32(MemorySegment d, long off) {
        ShortVector s = ShortVector.fromMemorySegment(S, d, off, LE);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0); // sign-extended; only the low 16 bits are used
        IntVector mag = h.and(0x7FFF);
        IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00);
        bits = bits.blend(shifted.or(0x7F800000), special);
        bits = bits.blend(bits.or(0x00400000), mag.compare(VectorOperators.GT, 0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    private static void f16Rows4(WeightMatrix w, int j, float[] x, int xOff, float[] y, int yOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rb = w.rowBytes();
        long r0 = j * rb, r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + p);
            long o = 2L * p;
            a0 = f16ToF32(d, r0 + o).fma(xv, a0);
            a1 = f16ToF32(d, r1 + o).fma(xv, a1);
            a2 = f16ToF32(d, r2 + o).fma(xv, a2);
            a3 = f16ToF32(d, r3 + o).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float xv = x[xOff + p];
            long o = 2L * p;
            s0 = Math.fma(f16(d, r0 + o), xv, s0);
            s1 = Math.fma(f16(d, r1 + o), xv, s1);
            s2 = Math.fma(f16(d, r2 + o), xv, s2);
            s3 = Math.fma(f16(d, r3 + o), xv, s3);
        }
        y[yOff + j] = s0;
        y[yOff + j + 1] = s1;
        y[yOff + j + 2] = s2;
        y[yOff + j + 3] = s3;
    }

    private static float f16(MemorySegment d, long off) {
        return Float.float16ToFloat(d.get(WeightMatrix.I16_LE, off));
    }

    private static float f16Row(WeightMatrix w, int j, float[] x, int xOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        FloatVector a0 = FloatVector.zero(F);
        int p = 0;
        for (; p + 8 <= k; p += 8) a0 = f16ToF32(d, r0 + 2L * p).fma(FloatVector.fromArray(F, x, xOff + p), a0);
        float s = a0.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) s = Math.fma(f16(d, r0 + 2L * p), x[xOff + p], s);
        return s;
    }

    // ---- Q8_0 ------------------------------------------------------------------------------------------------

    /** 8 signed bytes at {@code off} as 8 floats (exact: |q| ≤ 127). */
    static FloatVector q8ToF32(MemorySegment d, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(B, d, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Per block: t = Σ q·x over 32 weights (4 vectors), then acc += t·scale. That applies the scale once per block
     * instead of once per weight; it differs from Σ fl(q·s)·x only by rounding, within the same γ bound.
     */
    private static void q8Rows4(WeightMatrix w, int j, float[] x, int xOff, float[] y, int yOff) {
        MemorySegment d = w.data(), sc = w.scales();
        int k = w.cols();
        int blocks = WeightMatrix.blocksPerRow(k);
        long rb = w.rowBytes();
        long r0 = j * rb, r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
        long s0Off = 4L * j * blocks, sStride = 4L * blocks;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int fullBlocks = k / WeightMatrix.Q8_BLOCK;
        for (int b = 0; b < fullBlocks; b++) {
            int p = b * WeightMatrix.Q8_BLOCK;
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + p);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + p + 8);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + p + 16);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + p + 24);
            long sOff = s0Off + 4L * b;
            a0 = q8Block(d, r0 + p, x0, x1, x2, x3).fma(FloatVector.broadcast(F, sc.get(F32_LE, sOff)), a0);
            a1 = q8Block(d, r1 + p, x0, x1, x2, x3).fma(FloatVector.broadcast(F, sc.get(F32_LE, sOff + sStride)), a1);
            a2 = q8Block(d, r2 + p, x0, x1, x2, x3).fma(FloatVector.broadcast(F, sc.get(F32_LE, sOff + 2 * sStride)), a2);
            a3 = q8Block(d, r3 + p, x0, x1, x2, x3).fma(FloatVector.broadcast(F, sc.get(F32_LE, sOff + 3 * sStride)), a3);
        }
        y[yOff + j] = a0.reduceLanes(VectorOperators.ADD) + q8Tail(w, j, x, xOff, fullBlocks);
        y[yOff + j + 1] = a1.reduceLanes(VectorOperators.ADD) + q8Tail(w, j + 1, x, xOff, fullBlocks);
        y[yOff + j + 2] = a2.reduceLanes(VectorOperators.ADD) + q8Tail(w, j + 2, x, xOff, fullBlocks);
        y[yOff + j + 3] = a3.reduceLanes(VectorOperators.ADD) + q8Tail(w, j + 3, x, xOff, fullBlocks);
    }

    private static FloatVector q8Block(MemorySegment d, long off, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        FloatVector t = q8ToF32(d, off).mul(x0);
        t = q8ToF32(d, off + 8).fma(x1, t);
        t = q8ToF32(d, off + 16).fma(x2, t);
        return q8ToF32(d, off + 24).fma(x3, t);
    }

    /** The last, partial block of a row (k not a multiple of 32), scalar. */
    private static float q8Tail(WeightMatrix w, int j, float[] x, int xOff, int fullBlocks) {
        int k = w.cols();
        int p0 = fullBlocks * WeightMatrix.Q8_BLOCK;
        if (p0 >= k) return 0f;
        MemorySegment d = w.data();
        long r = j * w.rowBytes();
        float t = 0f;
        for (int p = p0; p < k; p++) t = Math.fma(d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, r + p), x[xOff + p], t);
        return t * w.scales().get(F32_LE, 4L * ((long) j * WeightMatrix.blocksPerRow(k) + fullBlocks));
    }

    private static float q8Row(WeightMatrix w, int j, float[] x, int xOff) {
        MemorySegment d = w.data(), sc = w.scales();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        long sOff = 4L * j * WeightMatrix.blocksPerRow(k);
        FloatVector a0 = FloatVector.zero(F);
        int fullBlocks = k / WeightMatrix.Q8_BLOCK;
        for (int b = 0; b < fullBlocks; b++) {
            int p = b * WeightMatrix.Q8_BLOCK;
            FloatVector t = q8Block(d, r0 + p, FloatVector.fromArray(F, x, xOff + p), FloatVector.fromArray(F, x, xOff + p + 8),
                    FloatVector.fromArray(F, x, xOff + p + 16), FloatVector.fromArray(F, x, xOff + p + 24));
            a0 = t.fma(FloatVector.broadcast(F, sc.get(F32_LE, sOff + 4L * b)), a0);
        }
        return a0.reduceLanes(VectorOperators.ADD) + q8Tail(w, j, x, xOff, fullBlocks);
    }
}
