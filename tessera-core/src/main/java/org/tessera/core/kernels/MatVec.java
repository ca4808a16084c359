package org.tessera.core.kernels;

import static org.tessera.core.kernels.WeightMatrix.F32_LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * Streaming matrix-vector product {@code y[n] = W[n, k] · x[k] (+ bias)}, the m = 1 (decode) case of {@link Gemm}.
 *
 * <p>Here every weight is used once, so the only cost that matters is reading W from memory: the kernel touches each
 * weight byte exactly once, in its stored dtype. How the rows are walked decides the rate, because a core alone
 * does not reach the memory bandwidth: it is limited by how many misses it has in flight, which the hardware
 * prefetchers raise only for streams they have picked up. Each thread cuts its rows into four quarters and walks
 * rows j, j+q, j+2q, j+3q side by side: four independent sequential streams. Measured on this Zen 3 (bf16, rows of
 * 896, 2 MB pages), one thread: adjacent rows 2 or 4 at a time 10 GB/s, one row at a time 16–17, two distant
 * streams 21–23, four 25–27; two threads 19 / 25–28 / 33 / 33–34 (there the memory itself is the limit). Adjacent
 * rows do worst: every row start is a new stream, and side by side they start 2 or 4 at a time and overlap.
 * Widening happens in registers:
 * <ul>
 *   <li>BF16: one 32-byte load holds 16 weights; as 8 ints, {@code i << 16} are the even-indexed weights as f32 and
 *       {@code i & 0xFFFF0000} the odd ones, exactly. x is permuted once per call to match (per 16 elements: the 8
 *       even ones, then the 8 odd ones), so a 16-weight step costs one load, a shift, an and and two FMAs — half of
 *       what sign-extending 8 shorts at a time cost, which had made bf16 compute-bound (~16 GB/s per core from L3).</li>
 *   <li>F16 ({@code vcvtph2ps}, from C2's auto-vectoriser) and Q8_0 ({@code vpmovsxbd; vcvtdq2ps}, times the block
 *       scale) are decoded strip by strip into L1 first (see {@link #decodedRows} for why).</li>
 * </ul>
 *
 * <p>Threads: the rows of one or several matrices sharing x ({@link #matvecs}: q/k/v, gate/up) are cut into one
 * contiguous range per thread, so each thread streams its own part of memory; below {@link #parallelMinBytes} of
 * weights one thread does it all.
 *
 * <p>A row's value never depends on the split: the one-row kernels for leftover rows sum in exactly the order of
 * the four-row ones. Accuracy: every lane is a sequential FMA chain over its share of k (F32 one chain, BF16 two:
 * even and odd columns), then the chains and lanes are summed (≤ 4 levels) and a scalar tail added (F16/Q8_0: per 512-element strip, then
 * the strips' sums added), so fewer than k+8 roundings touch any product: |error| ≤ γ_(k+8)·Σ|x||w|, as for
 * {@link Gemm}.
 */
public final class MatVec {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows are handed to threads in multiples of this (and F16/Q8_0 decode 4 rows at a time). */
    private static final int GRAIN = 4;
    /**
     * Below this many weight bytes one thread does the whole product: a hand-off to the pool costs a few µs, about
     * what one core streams 32 KB in. Not final so tests can force the parallel path on small shapes.
     */
    static long parallelMinBytes = 64 << 10;

    private MatVec() {}

    /** {@code y[yOff + j] = Σ_p x[xOff + p]·W[j, p] + bias[j]} for j < n. bias may be null. */
    public static void matvec(float[] x, int xOff, WeightMatrix w, float[] bias, float[] y, int yOff) {
        matvecs(x, xOff, new WeightMatrix[] {w}, new float[][] {bias}, new float[][] {y}, new int[] {yOff});
    }

    /**
     * Several products of the same x at once, {@code ys[i][yOffs[i] + j] = Σ_p x[xOff + p]·ws[i][j, p] + biases[i][j]}
     * (all ws have k columns; biases, or any entry, may be null): one hand-off to the pool for all of them, and the
     * threads' shares balanced over their rows together (Qwen2's q/k/v: 896 + 128 + 128 rows; gate/up).
     */
    public static void matvecs(float[] x, int xOff, WeightMatrix[] ws, float[][] biases, float[][] ys, int[] yOffs) {
        int k = ws[0].cols();
        Objects.checkFromIndexSize(xOff, k, x.length);
        long bytes = 0;
        int total = 0;
        boolean bf16 = false;
        for (int i = 0; i < ws.length; i++) {
            WeightMatrix w = ws[i];
            if (w.cols() != k) throw new IllegalArgumentException("matrices of " + k + " and " + w.cols() + " columns share one x");
            Objects.checkFromIndexSize(yOffs[i], w.rows(), ys[i].length);
            float[] b = biases == null ? null : biases[i];
            if (b != null && b.length < w.rows()) throw new IllegalArgumentException("bias has " + b.length + " values, needs " + w.rows());
            bytes += w.storedBytes();
            total += w.rows();
            bf16 |= w.format() == WeightMatrix.Format.BF16;
        }
        float[] xp = null;
        if (bf16) {
            xp = XP.get();
            if (xp.length < k) XP.set(xp = new float[k]);
            permute(x, xOff, k, xp);
        }
        final float[] xPerm = xp;
        final int rowsTotal = total;
        if (bytes < parallelMinBytes || Parallel.threads() == 1) {
            range(x, xOff, xPerm, ws, biases, ys, yOffs, 0, rowsTotal);
            return;
        }
        int grains = (rowsTotal + GRAIN - 1) / GRAIN;
        Parallel.forBlocks(grains, (g0, g1) ->
                range(x, xOff, xPerm, ws, biases, ys, yOffs, g0 * GRAIN, Math.min(rowsTotal, g1 * GRAIN)));
    }

    /** Rows [r0, r1) of the matrices' rows laid end to end. */
    private static void range(float[] x, int xOff, float[] xp, WeightMatrix[] ws, float[][] biases, float[][] ys, int[] yOffs,
                              int r0, int r1) {
        int base = 0;
        for (int i = 0; i < ws.length && base < r1; i++) {
            int n = ws[i].rows();
            int j0 = Math.max(r0 - base, 0), j1 = Math.min(r1 - base, n);
            if (j0 < j1) rows(x, xOff, xp, ws[i], biases == null ? null : biases[i], ys[i], yOffs[i], j0, j1);
            base += n;
        }
    }

    /** x permuted for the BF16 kernel: per 16 elements, the 8 even-indexed then the 8 odd-indexed; the tail as is. */
    private static void permute(float[] x, int xOff, int k, float[] xp) {
        int b = 0;
        for (; b + 16 <= k; b += 16) {
            for (int j = 0; j < 8; j++) {
                xp[b + j] = x[xOff + b + 2 * j];
                xp[b + 8 + j] = x[xOff + b + 2 * j + 1];
            }
        }
        for (; b < k; b++) xp[b] = x[xOff + b];
    }

    private static final ThreadLocal<float[]> XP = ThreadLocal.withInitial(() -> new float[0]);

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

    /**
     * Rows [j0, j1) of one matrix: cut into four equal quarters walked side by side (rows j, j+q, j+2q, j+3q
     * together), so the thread keeps four independent sequential streams in flight, then the leftover rows one by one.
     */
    private static void rows(float[] x, int xOff, float[] xp, WeightMatrix w, float[] bias, float[] y, int yOff, int j0, int j1) {
        int q = (j1 - j0) / 4, rest = j0 + 4 * q;
        switch (w.format()) {
            case F32 -> {
                for (int j = j0; j < j0 + q; j++) f32Rows4(w, j, q, x, xOff, y, yOff);
                for (int j = rest; j < j1; j++) y[yOff + j] = f32Row(w, j, x, xOff);
            }
            case BF16 -> {
                for (int j = j0; j < j0 + q; j++) bf16Rows4(w, j, q, xp, y, yOff);
                for (int j = j0; j < j0 + q; j++) { // k % 16 leftover columns, against the unpermuted x
                    for (int r = 0; r < 4; r++) y[yOff + j + r * q] += bf16Tail(w, j + r * q, x, xOff);
                }
                for (int j = rest; j < j1; j++) y[yOff + j] = bf16Row(w, j, x, xOff, xp);
            }
            case F16, Q8_0 -> {
                for (int j = j0; j < j0 + q; j++) decodedRows(w, j, q, 4, x, xOff, y, yOff);
                for (int j = rest; j < j1; j++) decodedRows(w, j, 1, 1, x, xOff, y, yOff);
            }
        }
        if (bias != null) for (int r = j0; r < j1; r++) y[yOff + r] += bias[r];
    }

    // ---- F32 -------------------------------------------------------------------------------------------------

    /** Rows j, j+q, j+2q, j+3q; 8 floats per row per step, one chain per row. */
    private static void f32Rows4(WeightMatrix w, int j, int q, float[] x, int xOff, float[] y, int yOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rb = w.rowBytes(), stride = q * rb;
        long r0 = j * rb, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
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
        y[yOff + j + q] = s1;
        y[yOff + j + 2 * q] = s2;
        y[yOff + j + 3 * q] = s3;
    }

    /** One row, in exactly {@link #f32Rows4}'s order (so a row's value does not depend on how rows were split). */
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

    private static final int HI = 0xFFFF0000;

    /** One bf16 row, in exactly {@link #bf16Rows4}'s order plus {@link #bf16Tail} (the split never changes a row's value). */
    private static float bf16Row(WeightMatrix w, int j, float[] x, int xOff, float[] xp) {
        MemorySegment d = w.data();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F);
        for (int p = 0; p + 16 <= k; p += 16) {
            IntVector w0 = IntVector.fromMemorySegment(I, d, r0 + 2L * p, LE);
            a0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, p), a0);
            b0 = w0.and(HI).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, p + 8), b0);
        }
        return VectorMath.sum(a0.add(b0)) + bf16Tail(w, j, x, xOff);
    }

    /**
     * Rows j, j+q, j+2q, j+3q over the columns up to the last multiple of 16 (the rest: {@link #bf16Tail}); per
     * 16 columns one 32-byte load per row, even and odd halves into two chains per row.
     */
    private static void bf16Rows4(WeightMatrix w, int j, int q, float[] xp, float[] y, int yOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rb = w.rowBytes(), stride = q * rb;
        long r0 = j * rb, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F), a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        for (int p = 0; p + 16 <= k; p += 16) {
            FloatVector xe = FloatVector.fromArray(F, xp, p), xo = FloatVector.fromArray(F, xp, p + 8);
            long o = 2L * p;
            IntVector w0 = IntVector.fromMemorySegment(I, d, r0 + o, LE);
            IntVector w1 = IntVector.fromMemorySegment(I, d, r1 + o, LE);
            IntVector w2 = IntVector.fromMemorySegment(I, d, r2 + o, LE);
            IntVector w3 = IntVector.fromMemorySegment(I, d, r3 + o, LE);
            a0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a0);
            b0 = w0.and(HI).reinterpretAsFloats().fma(xo, b0);
            a1 = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a1);
            b1 = w1.and(HI).reinterpretAsFloats().fma(xo, b1);
            a2 = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a2);
            b2 = w2.and(HI).reinterpretAsFloats().fma(xo, b2);
            a3 = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a3);
            b3 = w3.and(HI).reinterpretAsFloats().fma(xo, b3);
        }
        y[yOff + j] = VectorMath.sum(a0.add(b0));
        y[yOff + j + q] = VectorMath.sum(a1.add(b1));
        y[yOff + j + 2 * q] = VectorMath.sum(a2.add(b2));
        y[yOff + j + 3 * q] = VectorMath.sum(a3.add(b3));
    }

    /** Σ over the columns past the last multiple of 16 of row j (0 when k is a multiple of 16). */
    private static float bf16Tail(WeightMatrix w, int j, float[] x, int xOff) {
        MemorySegment d = w.data();
        int k = w.cols();
        long r0 = j * w.rowBytes();
        float s = 0f;
        for (int p = k / 16 * 16; p < k; p++) s = Math.fma(bf16(d, r0 + 2L * p), x[xOff + p], s);
        return s;
    }

    private static float bf16(MemorySegment d, long off) {
        return Float.intBitsToFloat(d.get(WeightMatrix.I16_LE, off) << 16);
    }

    // ---- F16 and Q8_0: decode a strip, then an f32 dot --------------------------------------------------------

    /**
     * Rows j, j+q, .., j+(rows−1)·q (rows ≤ 4) for F16 and Q8_0 weights. Fused into a 4-row dot product, their widening was too much for C2:
     * it stopped inlining (NodeCountInliningCutoff) within four rows' worth of conversions, and the 4th row then
     * called them out of line with boxed vectors, at ~2 GB/s. So these formats go in two steps per
     * {@value #STRIP}-element strip of 4 rows: decode the strip to f32 in an L1-resident buffer (one conversion per
     * loop iteration, compiled on its own), then a plain 4-row f32 dot product. The extra L1 round trip is cheap
     * next to reading the weights from memory. Q8_0 decodes to fl(q·s), exactly the format's defined values.
     */
    private static void decodedRows(WeightMatrix w, int j, int q, int rows, float[] x, int xOff, float[] y, int yOff) {
        int k = w.cols();
        float[] buf = STRIP_BUF.get();
        {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int p0 = 0; p0 < k; p0 += STRIP) {
                int len = Math.min(STRIP, k - p0);
                for (int r = 0; r < rows; r++) decodeStrip(w, j + r * q, p0, len, buf, r * STRIP);
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
            if (rows > 1) y[yOff + j + q] = s1;
            if (rows > 2) y[yOff + j + 2 * q] = s2;
            if (rows > 3) y[yOff + j + 3 * q] = s3;
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
