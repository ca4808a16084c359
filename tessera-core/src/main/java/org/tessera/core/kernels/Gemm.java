package org.tessera.core.kernels;

import static org.tessera.core.kernels.WeightMatrix.F32_LE;
import static org.tessera.core.kernels.WeightMatrix.I16_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * {@code out[m, n] = a[m, k] · Wᵀ (+ bias)} for a {@link WeightMatrix} W of shape {@code [n, k]} (PyTorch Linear layout).
 *
 * <p>Structure (the GotoBLAS/BLIS scheme). The cost is the FMA units, so everything is arranged to keep them fed
 * from registers and L1:
 * <ul>
 *   <li>Micro-kernel: an {@value #MR}×{@value #NR} block of {@code out} lives in 8 vector registers (4 rows × 2 vectors of
 *       8 floats). Each step along k loads 2 vectors of packed W, broadcasts 4 scalars of packed A and issues 8
 *       independent FMAs — an outer product, no horizontal sums. 4×16 was measured against 6×16, 5×16, 4×24, 3×24,
 *       2×32 and 8×8: C2 hoists all broadcasts of a step before the FMAs, so a shape needs
 *       accumulators + B vectors + broadcasts ≤ 16 ymm registers or it spills (6×16 needs 20 and ran at half speed).</li>
 *   <li>Packing W: a {@value #KC}×{@value #NC} block of Wᵀ is decoded from its stored dtype (F32/BF16/F16/Q8_0) into a
 *       per-thread f32 buffer as {@value #NR}-wide column panels, {@code panel[p][0..16)} contiguous, so the kernel
 *       streams one array with unit stride. Decoding happens once per block and is reused by all m rows, so for
 *       m ≫ 16 its cost (about one scalar load/convert/store per weight) is a few percent of the FMA time.</li>
 *   <li>Packing A: an {@value #MC}×{@value #KC} block of A (128 KB, fits L2) is copied into {@value #MR}-row panels
 *       {@code panel[p][0..4)}; rows past m are zero, so edge tiles need no special kernel.</li>
 *   <li>Loop order per thread: W block (L2/L3) → A block (L2) → one 16 KB W panel (L1) reused by all MC/4 A panels.</li>
 *   <li>Threads split n (each packs only its own W columns, no sharing or barriers); only when n has fewer panels
 *       than threads is m split instead.</li>
 * </ul>
 * m = 1 (decode) and tiny m go to the streaming {@link MatVec} instead, which reads W once without packing.
 *
 * <p>Accuracy: each output is a sequential f32 FMA chain over k (blocked by KC, each block's sum added once to out),
 * so |error| ≤ γ_(k+2)·Σ|a||w| with γ_j = j·u/(1−j·u), u = 2⁻²⁴ (Higham, recursive summation). See GemmTest.
 */
public final class Gemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Rows of A per micro-tile. */
    static final int MR = 4;
    /** Columns of W (outputs) per micro-tile: two 8-float vectors. */
    static final int NR = 16;
    /** k per packed block: a 16-column W panel is KC·16·4 = 16 KB, half of L1d. */
    static final int KC = Integer.getInteger("tessera.gemm.kc", 256);
    /** Rows of A per packed block: MC·KC·4 = 128 KB, a quarter of the 512 KB L2. */
    static final int MC = Integer.getInteger("tessera.gemm.mc", 128) / MR * MR;
    /** Columns per packed W block: KC·NC·4 = 2 MB per thread, lives in L3 and is swept once per A block. */
    static final int NC = Integer.getInteger("tessera.gemm.nc", 2048) / NR * NR;
    /** Up to this m, rows go one by one through the streaming matrix-vector kernel (packing would not pay). */
    static final int MATVEC_MAX_M = 2;
    /**
     * Below this many multiply-adds (~20 µs on one core) the fork-join hand-off costs more than it saves and the
     * caller's thread does all the work. Not final only so tests can force the parallel paths on small shapes.
     */
    static long parallelMinMacs = 1L << 20;

    private Gemm() {}

    private static final class Scratch {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out[outOff + i*n + j] = Σ_p a[aOff + i*k + p] · W[j, p] + bias[j]} for i < m, j < n.
     *
     * @param bias length n, or null
     */
    public static void matmul(float[] a, int aOff, int m, WeightMatrix w, float[] bias, float[] out, int outOff) {
        int n = w.rows(), k = w.cols();
        Objects.checkFromIndexSize(aOff, (long) m * k > Integer.MAX_VALUE ? -1 : m * k, a.length);
        Objects.checkFromIndexSize(outOff, (long) m * n > Integer.MAX_VALUE ? -1 : m * n, out.length);
        run(a, aOff, null, m, w, bias, out, outOff, null);
    }

    /** {@link #matmul(float[], int, int, WeightMatrix, float[], float[], int)} on whole arrays. */
    public static void matmul(float[] a, int m, WeightMatrix w, float[] bias, float[] out) {
        matmul(a, 0, m, w, bias, out, 0);
    }

    /** As the array form, with a and out as little-endian f32 segments ({@code [m, k]} and {@code [m, n]}, row-major). */
    public static void matmul(MemorySegment a, int m, WeightMatrix w, float[] bias, MemorySegment out) {
        int n = w.rows(), k = w.cols();
        if (a.byteSize() < 4L * m * k) throw new IndexOutOfBoundsException("a holds " + a.byteSize() + " bytes, needs " + 4L * m * k);
        if (out.byteSize() < 4L * m * n) throw new IndexOutOfBoundsException("out holds " + out.byteSize() + " bytes, needs " + 4L * m * n);
        run(null, 0, a, m, w, bias, null, 0, out);
    }

    private static void run(float[] aArr, int aOff, MemorySegment aSeg, int m, WeightMatrix w, float[] bias,
                            float[] oArr, int oOff, MemorySegment oSeg) {
        int n = w.rows(), k = w.cols();
        if (m < 0) throw new IllegalArgumentException("m must be >= 0, got " + m);
        if (bias != null && bias.length < n) throw new IllegalArgumentException("bias has " + bias.length + " values, needs " + n);
        if (m == 0) return;
        if (m <= MATVEC_MAX_M) {
            for (int i = 0; i < m; i++) {
                if (aArr != null) MatVec.matvec(aArr, aOff + i * k, w, bias, oArr, oOff + i * n);
                else MatVec.matvec(aSeg.asSlice(4L * i * k, 4L * k), w, bias, oSeg.asSlice(4L * i * n, 4L * n));
            }
            return;
        }
        int nPanels = (n + NR - 1) / NR;
        int threads = Parallel.threads();
        if ((long) m * n * k < parallelMinMacs) {
            block(aArr, aOff, aSeg, 0, m, w, bias, oArr, oOff, oSeg, 0, n);
        } else if (nPanels >= threads || m < MR * threads) {
            Parallel.forBlocks(nPanels, (p0, p1) ->
                    block(aArr, aOff, aSeg, 0, m, w, bias, oArr, oOff, oSeg, p0 * NR, Math.min(p1 * NR, n)));
        } else {
            int mPanels = (m + MR - 1) / MR;
            Parallel.forBlocks(mPanels, (q0, q1) ->
                    block(aArr, aOff, aSeg, q0 * MR, Math.min(q1 * MR, m), w, bias, oArr, oOff, oSeg, 0, n));
        }
    }

    /** One thread's share: rows [i0, i1) × output columns [j0, j1). */
    private static void block(float[] aArr, int aOff, MemorySegment aSeg, int i0, int i1, WeightMatrix w, float[] bias,
                              float[] oArr, int oOff, MemorySegment oSeg, int j0, int j1) {
        int n = w.rows(), k = w.cols();
        Scratch s = SCRATCH.get();
        float[] sa = s.a, sb = s.b, tile = s.tile;
        // out starts as bias (or 0) and every KC-block of the k sum is added onto it.
        initOut(oArr, oOff, oSeg, n, i0, i1, j0, j1, bias);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int np = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packW(w, jc, nc, pc, kc, sb);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int mp = (mc + MR - 1) / MR;
                    if (aArr != null) packA(aArr, aOff, k, ic, mc, pc, kc, sa);
                    else packA(aSeg, k, ic, mc, pc, kc, sa);
                    for (int jr = 0; jr < np; jr++) {
                        int cols = Math.min(NR, nc - jr * NR);
                        int bOff = jr * kc * NR;
                        int col = jc + jr * NR;
                        for (int ir = 0; ir < mp; ir++) {
                            int rows = Math.min(MR, mc - ir * MR);
                            int row = ic + ir * MR;
                            if (oArr != null && cols == NR && rows == MR) {
                                kernel(sa, ir * kc * MR, sb, bOff, kc, oArr, oOff + row * n + col, n);
                            } else {
                                Arrays.fill(tile, 0f);
                                kernel(sa, ir * kc * MR, sb, bOff, kc, tile, 0, NR);
                                addTile(tile, rows, cols, oArr, oOff, oSeg, n, row, col);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void initOut(float[] oArr, int oOff, MemorySegment oSeg, int n, int i0, int i1, int j0, int j1, float[] bias) {
        for (int i = i0; i < i1; i++) {
            if (oArr != null) {
                int base = oOff + i * n;
                if (bias == null) Arrays.fill(oArr, base + j0, base + j1, 0f);
                else System.arraycopy(bias, j0, oArr, base + j0, j1 - j0);
            } else {
                long base = 4L * i * n;
                for (int j = j0; j < j1; j++) oSeg.set(F32_LE, base + 4L * j, bias == null ? 0f : bias[j]);
            }
        }
    }

    private static void addTile(float[] tile, int rows, int cols, float[] oArr, int oOff, MemorySegment oSeg, int n, int row, int col) {
        for (int r = 0; r < rows; r++) {
            if (oArr != null) {
                int base = oOff + (row + r) * n + col;
                for (int c = 0; c < cols; c++) oArr[base + c] += tile[r * NR + c];
            } else {
                long base = 4L * ((long) (row + r) * n + col);
                for (int c = 0; c < cols; c++) {
                    long at = base + 4L * c;
                    oSeg.set(F32_LE, at, oSeg.get(F32_LE, at) + tile[r * NR + c]);
                }
            }
        }
    }

    /**
     * The 4×16 micro-kernel: {@code c[r*ldc + j] += Σ_p ap[aOff + 4p + r] · bp[bOff + 16p + j]}.
     * Eight accumulators + two W vectors + four broadcasts = 14 of the 16 ymm registers (see class comment).
     */
    static void kernel(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int ia = aOff, ib = bOff;
        for (int p = 0; p < kc; p++, ia += MR, ib += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, ib);
            FloatVector b1 = FloatVector.fromArray(F, bp, ib + 8);
            FloatVector a0 = FloatVector.broadcast(F, ap[ia]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, ap[ia + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, ap[ia + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, ap[ia + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o = cOff;
        c00.add(FloatVector.fromArray(F, c, o)).intoArray(c, o);
        c01.add(FloatVector.fromArray(F, c, o + 8)).intoArray(c, o + 8);
        o += ldc;
        c10.add(FloatVector.fromArray(F, c, o)).intoArray(c, o);
        c11.add(FloatVector.fromArray(F, c, o + 8)).intoArray(c, o + 8);
        o += ldc;
        c20.add(FloatVector.fromArray(F, c, o)).intoArray(c, o);
        c21.add(FloatVector.fromArray(F, c, o + 8)).intoArray(c, o + 8);
        o += ldc;
        c30.add(FloatVector.fromArray(F, c, o)).intoArray(c, o);
        c31.add(FloatVector.fromArray(F, c, o + 8)).intoArray(c, o + 8);
    }

    /** A rows [ic, ic+mc) × k-range [pc, pc+kc) into MR-row panels {@code dst[panel*kc*MR + p*MR + r]}, zero rows past mc. */
    static void packA(float[] a, int aOff, int k, int ic, int mc, int pc, int kc, float[] dst) {
        int mp = (mc + MR - 1) / MR;
        for (int ir = 0; ir < mp; ir++) {
            int base = ir * kc * MR;
            for (int r = 0; r < MR; r++) {
                int i = ir * MR + r;
                if (i < mc) {
                    int src = aOff + (ic + i) * k + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a[src + p];
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    static void packA(MemorySegment a, int k, int ic, int mc, int pc, int kc, float[] dst) {
        int mp = (mc + MR - 1) / MR;
        for (int ir = 0; ir < mp; ir++) {
            int base = ir * kc * MR;
            for (int r = 0; r < MR; r++) {
                int i = ir * MR + r;
                if (i < mc) {
                    long src = 4L * ((long) (ic + i) * k + pc);
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a.get(F32_LE, src + 4L * p);
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Decodes W rows [jc, jc+nc) × columns [pc, pc+kc) to f32, transposed into NR-wide panels
     * {@code dst[panel*kc*NR + p*NR + c] = W[jc + panel*NR + c, pc + p]}; columns past nc are zero.
     * One loop per format so each inner loop is a plain monomorphic load-convert-store.
     */
    static void packW(WeightMatrix w, int jc, int nc, int pc, int kc, float[] dst) {
        MemorySegment d = w.data();
        long rb = w.rowBytes();
        int np = (nc + NR - 1) / NR;
        for (int jr = 0; jr < np; jr++) {
            int base = jr * kc * NR;
            for (int c = 0; c < NR; c++) {
                int j = jr * NR + c;
                int o = base + c;
                if (j >= nc) {
                    for (int p = 0; p < kc; p++) dst[o + p * NR] = 0f;
                    continue;
                }
                long row = (jc + j) * rb;
                switch (w.format()) {
                    case F32 -> {
                        long src = row + 4L * pc;
                        for (int p = 0; p < kc; p++) dst[o + p * NR] = d.get(F32_LE, src + 4L * p);
                    }
                    case BF16 -> {
                        long src = row + 2L * pc;
                        for (int p = 0; p < kc; p++) dst[o + p * NR] = Float.intBitsToFloat(d.get(I16_LE, src + 2L * p) << 16);
                    }
                    case F16 -> {
                        long src = row + 2L * pc;
                        for (int p = 0; p < kc; p++) dst[o + p * NR] = Float.float16ToFloat(d.get(I16_LE, src + 2L * p));
                    }
                    case Q8_0 -> packQ8Row(w, jc + j, pc, kc, dst, o);
                }
            }
        }
    }

    private static void packQ8Row(WeightMatrix w, int row, int pc, int kc, float[] dst, int o) {
        MemorySegment d = w.data(), sc = w.scales();
        int blocks = WeightMatrix.blocksPerRow(w.cols());
        long qRow = row * w.rowBytes();
        long sRow = 4L * row * blocks;
        int p = 0;
        while (p < kc) {
            int col = pc + p;
            int blk = col / WeightMatrix.Q8_BLOCK;
            int end = Math.min(kc, (blk + 1) * WeightMatrix.Q8_BLOCK - pc);
            float scale = sc.get(F32_LE, sRow + 4L * blk);
            for (; p < end; p++) dst[o + p * NR] = d.get(ValueLayout.JAVA_BYTE, qRow + pc + p) * scale;
        }
    }
}
