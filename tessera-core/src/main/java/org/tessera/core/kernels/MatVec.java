package org.tessera.core.kernels;

import static org.tessera.core.kernels.WeightMatrix.F32_LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * Streaming matrix-vector product {@code y[n] = W[n, k] · x[k] (+ bias)}, the m = 1 (decode) case of {@link Gemm}.
 *
 * <p>Here every weight is used once, so the only cost that matters is reading W from memory: the kernel touches each
 * weight byte exactly once, in its stored dtype, in address order (so the hardware prefetchers see one sequential
 * stream per row). Widening happens in registers: BF16 is a sign-extend-and-shift ({@code vpmovsxwd; vpslld 16})
 * fused into the dot product; F16 ({@code vcvtph2ps}, from C2's auto-vectoriser) and Q8_0 ({@code vpmovsxbd;
 * vcvtdq2ps}, times the block scale) are decoded strip by strip into L1 first (see {@link #decodedRows} for why).
 * Four rows are walked together so that each x vector (kept in L1) is loaded once per four rows and four FMA
 * chains run in parallel, hiding the FMA latency.
 *
 * <p>Accuracy: every lane is a sequential FMA chain of k/8 terms, then an 8-lane tree reduction and a scalar tail
 * (F16/Q8_0: per 512-element strip, then the strips' sums added), so fewer than k+8 roundings touch any product:
 * |error| ≤ γ_(k+8)·Σ|x||w|, as for {@link Gemm}.
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
            case F16, Q8_0 -> decodedRows(w, j0, j1, x, xOff, y, yOff);
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
        float s0 = VectorMath.sum(a0), s1 = VectorMath.sum(a1);
        float s2 = VectorMath.sum(a2), s3 = VectorMath.sum(a3);
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
        float s = VectorMath.sum(a0);
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
        float s0 = VectorMath.sum(a0), s1 = VectorMath.sum(a1);
        float s2 = VectorMath.sum(a2), s3 = VectorMath.sum(a3);
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
        float s = VectorMath.sum(a0);
        for (; p < k; p++) s = Math.fma(bf16(d, r0 + 2L * p), x[xOff + p], s);
        return s;
    }

    // ---- F16 and Q8_0: decode a strip, then an f32 dot --------------------------------------------------------

    /**
     * Rows [j0, j1) for F16 and Q8_0 weights. Fused into a 4-row dot product, their widening was too much for C2:
     * it stopped inlining (NodeCountInliningCutoff) within four rows' worth of conversions, and the 4th row then
     * called them out of line with boxed vectors, at ~2 GB/s. So these formats go in two steps per
     * {@value #STRIP}-element strip of 4 rows: decode the strip to f32 in an L1-resident buffer (one conversion per
     * loop iteration, compiled on its own), then a plain 4-row f32 dot product. The extra L1 round trip is cheap
     * next to reading the weights from memory. Q8_0 decodes to fl(q·s), exactly the format's defined values.
     */
    private static void decodedRows(WeightMatrix w, int j0, int j1, float[] x, int xOff, float[] y, int yOff) {
        int k = w.cols();
        float[] buf = STRIP_BUF.get();
        for (int j = j0; j < j1; j += 4) {
            int rows = Math.min(4, j1 - j);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int p0 = 0; p0 < k; p0 += STRIP) {
                int len = Math.min(STRIP, k - p0);
                for (int r = 0; r < rows; r++) decodeStrip(w, j + r, p0, len, buf, r * STRIP);
                for (int r = rows; r < 4; r++) java.util.Arrays.fill(buf, r * STRIP, r * STRIP + len, 0f);
                FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
                int p = 0;
                for (; p + 8 <= len; p += 8) {
                    FloatVector xv = FloatVector.fromArray(F, x, xOff + p0 + p);
                    a0 = FloatVector.fromArray(F, buf, p).fma(xv, a0);
                    a1 = FloatVector.fromArray(F, buf, STRIP + p).fma(xv, a1);
                    a2 = FloatVector.fromArray(F, buf, 2 * STRIP + p).fma(xv, a2);
                    a3 = FloatVector.fromArray(F, buf, 3 * STRIP + p).fma(xv, a3);
                }
                float t0 = VectorMath.sum(a0), t1 = VectorMath.sum(a1);
                float t2 = VectorMath.sum(a2), t3 = VectorMath.sum(a3);
                for (; p < len; p++) {
                    float xv = x[xOff + p0 + p];
                    t0 = Math.fma(buf[p], xv, t0);
                    t1 = Math.fma(buf[STRIP + p], xv, t1);
                    t2 = Math.fma(buf[2 * STRIP + p], xv, t2);
                    t3 = Math.fma(buf[3 * STRIP + p], xv, t3);
                }
                s0 += t0;
                s1 += t1;
                s2 += t2;
                s3 += t3;
            }
            y[yOff + j] = s0;
            if (rows > 1) y[yOff + j + 1] = s1;
            if (rows > 2) y[yOff + j + 2] = s2;
            if (rows > 3) y[yOff + j + 3] = s3;
        }
    }

    /** Elements per decoded strip: 4 rows × 512 floats = 8 KB of L1. A multiple of the Q8_0 block. */
    private static final int STRIP = 512;
    private static final ThreadLocal<float[]> STRIP_BUF = ThreadLocal.withInitial(() -> new float[4 * STRIP]);

    /** W[row, p0 .. p0+len) as f32 into {@code dst[off ..]}. */
    private static void decodeStrip(WeightMatrix w, int row, int p0, int len, float[] dst, int off) {
        MemorySegment d = w.data();
        long base = row * w.rowBytes();
        int p = 0;
        if (w.format() == WeightMatrix.Format.F16) {
            // A plain loop: C2's auto-vectoriser turns it into vcvtph2ps on 8 lanes (measured 22 G elements/s per
            // core), several times faster than re-biasing the exponent by hand with Vector API integer ops.
            long src = base + 2L * p0;
            for (; p < len; p++) dst[off + p] = Float.float16ToFloat(d.get(WeightMatrix.I16_LE, src + 2L * p));
        } else {
            MemorySegment sc = w.scales();
            long sRow = 4L * row * WeightMatrix.blocksPerRow(w.cols());
            // p0 is a multiple of 32, so strips hold whole blocks (the last may be short).
            long sAt = sRow + 4L * (p0 / WeightMatrix.Q8_BLOCK);
            for (; p + WeightMatrix.Q8_BLOCK <= len; p += WeightMatrix.Q8_BLOCK, sAt += 4) {
                FloatVector scale = FloatVector.broadcast(F, sc.get(F32_LE, sAt));
                long q = base + p0 + p;
                int o = off + p;
                // Written out, not in a helper: a vector returned from a call C2 declines to inline is boxed.
                ((FloatVector) ByteVector.fromMemorySegment(B, d, q, LE).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, o);
                ((FloatVector) ByteVector.fromMemorySegment(B, d, q + 8, LE).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, o + 8);
                ((FloatVector) ByteVector.fromMemorySegment(B, d, q + 16, LE).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, o + 16);
                ((FloatVector) ByteVector.fromMemorySegment(B, d, q + 24, LE).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, o + 24);
            }
            for (; p < len; p++) {
                float scale = sc.get(F32_LE, sRow + 4L * ((p0 + p) / WeightMatrix.Q8_BLOCK));
                dst[off + p] = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + p0 + p) * scale;
            }
        }
    }
}
