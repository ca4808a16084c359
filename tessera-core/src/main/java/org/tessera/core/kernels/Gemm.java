package org.tessera.core.kernels;

import static org.tessera.core.kernels.WeightMatrix.F32_LE;
import static org.tessera.core.kernels.WeightMatrix.I16_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;

/**
 * {@code out[m, n] = a[m, k] · Wᵀ (+ bias)} for a {@link WeightMatrix} W of shape {@code [n, k]} (PyTorch Linear layout).
 *
 * <p>Structure. The cost is the FMA units, so everything is arranged to keep them fed from registers and L1:
 * <ul>
 *   <li>Micro-kernel ({@link #kernel}): a {@value #MR}×{@value #NR} tile of {@code out} lives in 8 vector registers
 *       (4 rows × 2 vectors of 8 floats). Each step along k loads 2 vectors of packed W, broadcasts 4 scalars of
 *       packed A straight from memory ({@code vbroadcastss ymm, m32}) and issues 8 independent FMAs — an outer
 *       product, no horizontal sums. 4×16 was measured against 6×16, 5×16, 4×24, 3×24, 2×32 and 8×8 (and against
 *       unrolling k by 2 and 4): C2 schedules all broadcasts of a step ahead of the FMAs, so a shape needs
 *       accumulators + W vectors + broadcasts ≤ 16 ymm registers or it spills; 6×16 needs 20 and ran at half
 *       speed. On this Zen 3 the kernel alone runs at 88–96 GFLOP/s per core with data in cache (C2's loop is
 *       tight: 4 vbroadcastss, 2 vmovups, 8 vfmadd231ps and 4 integer ops per k step; unrolling did not help).</li>
 *   <li>Packing A: all of A is copied once per call (rows split over the pool) into 4-row panels
 *       {@code [m/4][k][4]}, rows past m zero-filled, so edge rows need no separate kernel and a segment-backed A
 *       costs the same as an array.</li>
 *   <li>Packing W: a work unit owns {@link #ncUnit} output columns; for each block of {@link #kcBlock} along k it
 *       decodes that KC×NCU block of W from its stored dtype (F32/BF16/F16/Q8_0) into a per-thread f32 buffer of
 *       16-column panels {@code [p][16]} (256 KB: stays in L2). Each weight is decoded once per call, so for
 *       m ≫ 16 decoding costs ~2–4 % of the FMA time (measured: 0.5–1 ns per weight, vs ~2·m/88 ns of FMAs).</li>
 *   <li>Loop order inside a unit: k-block → 4-row A panel (its 4·KC floats stay in L1) → the unit's W panels left to
 *       right (from L2). Consecutive tiles therefore move along the same 4 rows of {@code out}, four sequential
 *       streams the hardware prefetcher follows. The textbook BLIS order (W panel outer, A panels inner) walks down
 *       the rows of a 10+ MB {@code out} instead; there the tile loads/stores of {@code out} missed the caches so
 *       often that they took ~25 % of the time (JFR), and this order is ~20 % faster end to end.</li>
 *   <li>Threads take whole units (no sharing, no barriers but the one after packing A); when n gives fewer than two
 *       units per thread, units are also split by rows.</li>
 * </ul>
 * m ≤ {@value #MATVEC_MAX_M} (decode) goes to the streaming {@link MatVec} instead, which reads W once without packing.
 *
 * <p>Accuracy: each output is a sequential f32 FMA chain over k (one per KC block, each block's sum added once to
 * out), so |error| ≤ γ_(k+k/KC+1)·Σ|a||w| ≤ γ_(k+8)·Σ|a||w| with γ_j = j·u/(1−j·u), u = 2⁻²⁴ (Higham's bound for
 * recursive summation). See GemmTest.
 */
public final class Gemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Rows of A per micro-tile. */
    static final int MR = 4;
    /** Columns of W (outputs) per micro-tile: two 8-float vectors. */
    static final int NR = 16;
    /** Up to this m, rows go one by one through the streaming matrix-vector kernel (packing would not pay). */
    static final int MATVEC_MAX_M = 2;
    /**
     * Below this many multiply-adds (~20 µs on one core) the fork-join hand-off costs more than it saves and the
     * caller's thread does all the work. Not final only so tests can force the parallel paths on small shapes.
     */
    static long parallelMinMacs = 1L << 20;
    /**
     * k per W block, and output columns per work unit: the KC×NCU f32 W block is 256 KB (half the 512 KB L2) and the
     * A panel a tile reads, 4·KC floats = 16 KB, half of L1. Measured on the ViT and Qwen2 shapes (2 threads, one JVM,
     * alternating settings): 1024×64 was 3–7 % faster than 512×128 and 256×256, mostly because k ≤ 1024 then takes a
     * single pass over out (stored, never re-read). Mutable only so tuning runs can compare settings in one JVM;
     * set between calls, never during one.
     */
    static volatile int kcBlock = 1024, ncUnit = 64;

    private Gemm() {}

    /**
     * Which implementation runs the packed GEMM path (m > {@value #MATVEC_MAX_M}): JAVA, the kernels in this class (the
     * default); NATIVE, OpenBLAS's cblas_sgemm through {@link NativeBlas} (fails with an install hint if the library
     * is missing); AUTO, native only when the library loads and a one-time probe per weight format finds it faster.
     * Chosen by {@code -Dtessera.backend=java|native|auto} or {@link #setBackend}. Matrix-vector (m ≤ 2) always
     * stays in Java: it is memory-bound, MatVec already streams bf16 at the machine's bandwidth, and an f32 copy
     * would double the bytes read.
     */
    public enum Backend {
        JAVA, NATIVE, AUTO;

        /** "java", "native" or "auto", any case. */
        public static Backend parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "java" -> JAVA;
                case "native", "openblas", "blas" -> NATIVE;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("unknown GEMM backend '" + s + "' (java, native, auto)");
            };
        }
    }

    private static volatile Backend backend = Backend.parse(System.getProperty("tessera.backend", "java"));

    /** The backend in use (see {@link Backend}). */
    public static Backend backend() {
        return backend;
    }

    /** Switches the backend for later calls (benchmarks, tests); not while a call runs. */
    public static void setBackend(Backend b) {
        backend = Objects.requireNonNull(b, "backend");
    }

    /** The pure-Java path whatever the backend (the AUTO probe's baseline, and tests' reference for the native one). */
    static void matmulJava(float[] a, int aOff, int m, WeightMatrix w, float[] bias, float[] out, int outOff) {
        run(a, aOff, null, m, w, bias, out, outOff, null, Backend.JAVA);
    }

    /** Per-thread W block buffer and edge tile (kept per pool thread between calls). */
    private static final class Scratch {
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];

        Scratch fit(int kc, int nc) {
            int need = kc * ((nc + NR - 1) / NR * NR);
            if (b.length < need) b = new float[need];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The whole of A packed once per call (layout in {@link #packA}); owned by the calling thread, read by the workers. */
    private static final ThreadLocal<float[][]> PACKED_A = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * {@code out[outOff + i*n + j] = Σ_p a[aOff + i*k + p] · W[j, p] + bias[j]} for i < m, j < n.
     *
     * @param bias length n, or null
     */
    public static void matmul(float[] a, int aOff, int m, WeightMatrix w, float[] bias, float[] out, int outOff) {
        int n = w.rows(), k = w.cols();
        Objects.checkFromIndexSize(aOff, (long) m * k > Integer.MAX_VALUE ? -1 : m * k, a.length);
        Objects.checkFromIndexSize(outOff, (long) m * n > Integer.MAX_VALUE ? -1 : m * n, out.length);
        run(a, aOff, null, m, w, bias, out, outOff, null, backend);
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
        run(null, 0, a, m, w, bias, null, 0, out, backend);
    }

    private static void run(float[] aArr, int aOff, MemorySegment aSeg, int m, WeightMatrix w, float[] bias,
                            float[] oArr, int oOff, MemorySegment oSeg, Backend be) {
        int n = w.rows(), k = w.cols();
        if (m < 0) throw new IllegalArgumentException("m must be >= 0, got " + m);
        if (bias != null && bias.length < n) throw new IllegalArgumentException("bias has " + bias.length + " values, needs " + n);
        if (m == 0) return;
        // An explicitly requested native backend fails on the first call of any shape, not only on the first prefill.
        if (be == Backend.NATIVE) NativeBlas.require();
        if (m <= MATVEC_MAX_M) {
            for (int i = 0; i < m; i++) {
                if (aArr != null) MatVec.matvec(aArr, aOff + i * k, w, bias, oArr, oOff + i * n);
                else MatVec.matvec(aSeg.asSlice(4L * i * k, 4L * k), w, bias, oSeg.asSlice(4L * i * n, 4L * n));
            }
            return;
        }
        if (be != Backend.JAVA && NativeBlas.use(be, w.format())) { // dispatch hook: the opt-in OpenBLAS backend
            NativeBlas.matmul(aArr, aOff, aSeg, m, w, bias, oArr, oOff, oSeg);
            return;
        }
        packed(aArr, aOff, aSeg, m, k, new Target[] {new Target(w, bias, oArr, oOff, oSeg)});
    }

    /** One weight matrix of a packed call and where its product goes. */
    private record Target(WeightMatrix w, float[] bias, float[] oArr, int oOff, MemorySegment oSeg) {}

    /**
     * Several products of the same A at once: {@code outs[i][outOffs[i] + r*n_i + j] = Σ_p a[aOff + r*k + p]·ws[i][j, p]
     * + biases[i][j]} (all ws have k columns; biases or any entry may be null). A is packed once and the work units of
     * all matrices are shared out together, so a small matrix (Qwen2's k/v projections: 128 outputs) does not run as
     * a call of its own with too few units to keep the threads busy (78 GFLOP/s alone at 512×896×128, against ~175
     * for the group). m ≤ 2 goes to {@link MatVec#matvecs}.
     */
    public static void matmuls(float[] a, int aOff, int m, WeightMatrix[] ws, float[][] biases, float[][] outs, int[] outOffs) {
        int k = ws[0].cols();
        if (m < 0) throw new IllegalArgumentException("m must be >= 0, got " + m);
        Objects.checkFromIndexSize(aOff, (long) m * k > Integer.MAX_VALUE ? -1 : m * k, a.length);
        for (int i = 0; i < ws.length; i++) {
            WeightMatrix w = ws[i];
            if (w.cols() != k) throw new IllegalArgumentException("matrices of " + k + " and " + w.cols() + " columns share one A");
            Objects.checkFromIndexSize(outOffs[i], (long) m * w.rows() > Integer.MAX_VALUE ? -1 : m * w.rows(), outs[i].length);
            float[] b = biases == null ? null : biases[i];
            if (b != null && b.length < w.rows()) throw new IllegalArgumentException("bias has " + b.length + " values, needs " + w.rows());
        }
        if (m == 0) return;
        Backend be = backend;
        if (be == Backend.NATIVE) NativeBlas.require();
        if (m <= MATVEC_MAX_M) {
            for (int r = 0; r < m; r++) {
                int[] offs = new int[ws.length];
                for (int i = 0; i < ws.length; i++) offs[i] = outOffs[i] + r * ws[i].rows();
                MatVec.matvecs(a, aOff + r * k, ws, biases, outs, offs);
            }
            return;
        }
        boolean nativePath = false;
        for (WeightMatrix w : ws) nativePath |= be != Backend.JAVA && NativeBlas.use(be, w.format());
        if (nativePath || ws.length == 1) {
            for (int i = 0; i < ws.length; i++) run(a, aOff, null, m, ws[i], biases == null ? null : biases[i], outs[i], outOffs[i], null, be);
            return;
        }
        Target[] ts = new Target[ws.length];
        for (int i = 0; i < ws.length; i++) ts[i] = new Target(ws[i], biases == null ? null : biases[i], outs[i], outOffs[i], null);
        packed(a, aOff, null, m, k, ts);
    }

    /** The packed path over one or several targets sharing A (see the class comment). */
    private static void packed(float[] aArr, int aOff, MemorySegment aSeg, int m, int k, Target[] ts) {
        int mPanels = (m + MR - 1) / MR;
        if ((long) mPanels * MR * k > Integer.MAX_VALUE) throw new IllegalArgumentException("m·k too large for one call; split m");
        float[][] holder = PACKED_A.get();
        if (holder[0].length < mPanels * MR * k) holder[0] = new float[mPanels * MR * k];
        float[] apk = holder[0];
        long nTotal = 0;
        for (Target t : ts) nTotal += t.w().rows();
        boolean parallel = (long) m * nTotal * k >= parallelMinMacs && Parallel.threads() > 1;

        final int kc = kcBlock;
        int threads = Parallel.threads();
        // Units: ncUnit output columns of one matrix each (never spanning two).
        int[] ncu = new int[ts.length], first = new int[ts.length + 1];
        for (int i = 0; i < ts.length; i++) {
            int n = ts[i].w().rows();
            int ncuTarget = ncUnit;
            int nUnits = (n + ncuTarget - 1) / ncuTarget;
            if (ts.length == 1 && parallel && nUnits % threads != 0 && nUnits < 8 * threads) {
                // Few units that do not divide among the threads (Qwen2's n = 896 makes 7): narrow them so they do,
                // rather than leave a thread idle for a whole unit (~12 % at 7 units on 2 threads).
                int target = (nUnits + threads - 1) / threads * threads;
                ncuTarget = ((n + target - 1) / target + NR - 1) / NR * NR;
                nUnits = (n + ncuTarget - 1) / ncuTarget;
            }
            ncu[i] = ncuTarget;
            first[i + 1] = first[i] + nUnits;
        }
        int nUnits = first[ts.length];
        Parallel.BlockBody packA = (q0, q1) -> packA(aArr, aOff, aSeg, m, k, kc, mPanels, q0, q1, apk);
        if (parallel) Parallel.forBlocks(mPanels, packA);
        else packA.run(0, mPanels);

        int mChunks = parallel && nUnits < 2 * threads ? Math.min(mPanels, (2 * threads + nUnits - 1) / nUnits) : 1;
        IntConsumer unit = u -> {
            int jb = u / mChunks, part = u % mChunks;
            int i = 0;
            while (jb >= first[i + 1]) i++;
            Target t = ts[i];
            int j0 = (jb - first[i]) * ncu[i], j1 = Math.min(t.w().rows(), j0 + ncu[i]);
            int q0 = (int) ((long) mPanels * part / mChunks), q1 = (int) ((long) mPanels * (part + 1) / mChunks);
            unit(apk, m, k, mPanels, q0, q1, t.w(), t.bias(), t.oArr(), t.oOff(), t.oSeg(), j0, j1, kc);
        };
        int units = nUnits * mChunks;
        if (parallel) Parallel.forRange(units, unit);
        else for (int u = 0; u < units; u++) unit.accept(u);
    }

    /**
     * Rows of A panels [q0, q1) into the packed layout {@code [k block][panel q][p < kc][r < 4]}: the k block of
     * index b starts at {@code b·mPanels·KC·4}, and within it panel q at {@code q·kc·4} (kc = that block's length).
     * A unit sweeps all panels of one k block in order, so it reads one contiguous stream (8 KB panels laid end to
     * end) rather than 8 KB pieces 4·k floats apart, whose page-crossing starts the prefetcher does not foresee
     * (that cost ~8 % at k = 4096). Rows ≥ m are zero.
     */
    private static void packA(float[] aArr, int aOff, MemorySegment aSeg, int m, int k, int kcBlk, int mPanels,
                              int q0, int q1, float[] dst) {
        for (int pc = 0; pc < k; pc += kcBlk) {
            int kc = Math.min(kcBlk, k - pc);
            int blockBase = (pc / kcBlk) * mPanels * kcBlk * MR;
            for (int q = q0; q < q1; q++) {
                int base = blockBase + q * kc * MR;
                if (vectorPack && aArr != null && q * MR + MR <= m && kc >= 8) {
                    packA4(aArr, aOff + q * MR * k + pc, k, kc, dst, base);
                    continue;
                }
                for (int r = 0; r < MR; r++) {
                    int i = q * MR + r;
                    if (i >= m) {
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                    } else if (aArr != null) {
                        int src = aOff + i * k + pc;
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = aArr[src + p];
                    } else {
                        long src = 4L * ((long) i * k + pc);
                        for (int p = 0; p < kc; p++) dst[base + p * MR + r] = aSeg.get(F32_LE, src + 4L * p);
                    }
                }
            }
        }
    }

    private static final VectorShuffle<Float> A1_LO = VectorShuffle.fromValues(F, 0, 8, 1, 9, 2, 10, 3, 11);
    private static final VectorShuffle<Float> A1_HI = VectorShuffle.fromValues(F, 4, 12, 5, 13, 6, 14, 7, 15);
    private static final VectorShuffle<Float> A2_LO = VectorShuffle.fromValues(F, 0, 1, 8, 9, 2, 3, 10, 11);
    private static final VectorShuffle<Float> A2_HI = VectorShuffle.fromValues(F, 4, 5, 12, 13, 6, 7, 14, 15);

    /**
     * Four whole rows (from {@code src}, {@code lda} apart) × kc columns into one panel, {@code dst[base + 4p + r]}:
     * per 8 columns, 4 loads, a 4×8 → 8×4 interleave in registers (two rounds of two-input shuffles) and 4 stores
     * of 8, where the scalar loop did 32 strided stores.
     */
    private static void packA4(float[] a, int src, int lda, int kc, float[] dst, int base) {
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            FloatVector a0 = FloatVector.fromArray(F, a, src + p), a1 = FloatVector.fromArray(F, a, src + lda + p);
            FloatVector a2 = FloatVector.fromArray(F, a, src + 2 * lda + p), a3 = FloatVector.fromArray(F, a, src + 3 * lda + p);
            FloatVector x01lo = a0.rearrange(A1_LO, a1), x01hi = a0.rearrange(A1_HI, a1);
            FloatVector x23lo = a2.rearrange(A1_LO, a3), x23hi = a2.rearrange(A1_HI, a3);
            int d = base + p * MR;
            x01lo.rearrange(A2_LO, x23lo).intoArray(dst, d);
            x01lo.rearrange(A2_HI, x23lo).intoArray(dst, d + 8);
            x01hi.rearrange(A2_LO, x23hi).intoArray(dst, d + 16);
            x01hi.rearrange(A2_HI, x23hi).intoArray(dst, d + 24);
        }
        for (; p < kc; p++) {
            for (int r = 0; r < MR; r++) dst[base + p * MR + r] = a[src + r * lda + p];
        }
    }

    /** One work unit: out rows of A panels [q0, q1) × columns [j0, j1). */
    private static void unit(float[] apk, int m, int k, int mPanels, int q0, int q1, WeightMatrix w, float[] bias,
                             float[] oArr, int oOff, MemorySegment oSeg, int j0, int j1, int kcBlk) {
        int n = w.rows();
        Scratch s = SCRATCH.get().fit(kcBlk, j1 - j0);
        float[] sb = s.b, tile = s.tile;
        int i0 = q0 * MR, i1 = Math.min(m, q1 * MR);
        // With a bias, out starts as the bias and every k block adds onto it; without, the first block overwrites
        // out, which saves a pass over it (it is as large as the FMA work is long: ~1/8 of the memory traffic).
        boolean initialised = bias != null;
        if (initialised) initOut(oArr, oOff, oSeg, n, i0, i1, j0, j1, bias);
        int nc = j1 - j0;
        int np = (nc + NR - 1) / NR;
        for (int pc = 0; pc < k; pc += kcBlk) {
            int kc = Math.min(kcBlk, k - pc);
            boolean acc = initialised || pc > 0;
            packW(w, j0, nc, pc, kc, sb);
            int blockBase = (pc / kcBlk) * mPanels * kcBlk * MR;
            for (int q = q0; q < q1; q++) {
                int aOff = blockBase + q * kc * MR;
                int row = q * MR;
                int rows = Math.min(MR, m - row);
                for (int jr = 0; jr < np; jr++) {
                    int cols = Math.min(NR, nc - jr * NR);
                    int col = j0 + jr * NR;
                    if (oArr != null && cols == NR && rows == MR) {
                        kernel(apk, aOff, sb, jr * kc * NR, kc, oArr, oOff + row * n + col, n, acc);
                    } else {
                        kernel(apk, aOff, sb, jr * kc * NR, kc, tile, 0, NR, false);
                        addTile(tile, rows, cols, oArr, oOff, oSeg, n, row, col, acc);
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

    /** Adds (or, if not {@code accumulate}, copies) the valid rows × cols of an edge tile into out. */
    private static void addTile(float[] tile, int rows, int cols, float[] oArr, int oOff, MemorySegment oSeg, int n, int row, int col,
                                boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            if (oArr != null) {
                int base = oOff + (row + r) * n + col;
                for (int c = 0; c < cols; c++) oArr[base + c] = accumulate ? oArr[base + c] + tile[r * NR + c] : tile[r * NR + c];
            } else {
                long base = 4L * ((long) (row + r) * n + col);
                int c = 0;
                for (; c + 8 <= cols; c += 8) { // segment-backed out: full vectors, so it costs about what arrays do
                    FloatVector t = FloatVector.fromArray(F, tile, r * NR + c);
                    if (accumulate) t = t.add(FloatVector.fromMemorySegment(F, oSeg, base + 4L * c, java.nio.ByteOrder.LITTLE_ENDIAN));
                    t.intoMemorySegment(oSeg, base + 4L * c, java.nio.ByteOrder.LITTLE_ENDIAN);
                }
                for (; c < cols; c++) {
                    long at = base + 4L * c;
                    oSeg.set(F32_LE, at, accumulate ? oSeg.get(F32_LE, at) + tile[r * NR + c] : tile[r * NR + c]);
                }
            }
        }
    }

    /**
     * The 4×16 micro-kernel: {@code c[r*ldc + j] (+)= Σ_p ap[aOff + 4p + r] · bp[bOff + 16p + j]}, adding to c when
     * {@code accumulate}, overwriting it otherwise (the first k block: saves a read pass over out).
     * Eight accumulators + two W vectors + four broadcasts = 14 of the 16 ymm registers (see class comment).
     * Public because tessera-train's weight-gradient products pack their panels the same way and reuse it.
     */
    public static void kernel(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
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
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(F, c, o0));
            c01 = c01.add(FloatVector.fromArray(F, c, o0 + 8));
            c10 = c10.add(FloatVector.fromArray(F, c, o1));
            c11 = c11.add(FloatVector.fromArray(F, c, o1 + 8));
            c20 = c20.add(FloatVector.fromArray(F, c, o2));
            c21 = c21.add(FloatVector.fromArray(F, c, o2 + 8));
            c30 = c30.add(FloatVector.fromArray(F, c, o3));
            c31 = c31.add(FloatVector.fromArray(F, c, o3 + 8));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + 8);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + 8);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + 8);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + 8);
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
        int jr0 = 0;
        if (w.format() == WeightMatrix.Format.BF16 && vectorPack) {
            // Whole 16-column panels, 16 columns of k at a time, through 8×8 register transposes (0.47 against
            // 0.73 ns per weight for the scalar loop below, whose strided stores are its cost); the rest below.
            int kc16 = kc / 16 * 16;
            for (; jr0 < nc / NR; jr0++) {
                for (int half = 0; half < 2; half++) packBf16Block8(d, rb, (jc + jr0 * NR + half * 8) * rb + 2L * pc, kc16, dst, jr0 * kc * NR + half * 8);
                if (kc16 < kc) packRowsScalar(w, jc, jr0, nc, pc, kc, kc16, dst);
            }
        }
        for (int jr = jr0; jr < np; jr++) packRowsScalar(w, jc, jr, nc, pc, kc, 0, dst);
    }

    /** The register-shuffle packing of A and of BF16 W (tuning runs compare it with the scalar loops in one JVM). */
    static volatile boolean vectorPack = true;

    private static final VectorShuffle<Float> T1_LO = VectorShuffle.fromValues(F, 0, 8, 2, 10, 4, 12, 6, 14);
    private static final VectorShuffle<Float> T1_HI = VectorShuffle.fromValues(F, 1, 9, 3, 11, 5, 13, 7, 15);
    private static final VectorShuffle<Float> T2_LO = VectorShuffle.fromValues(F, 0, 1, 8, 9, 4, 5, 12, 13);
    private static final VectorShuffle<Float> T2_HI = VectorShuffle.fromValues(F, 2, 3, 10, 11, 6, 7, 14, 15);
    private static final VectorShuffle<Float> T3_LO = VectorShuffle.fromValues(F, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> T3_HI = VectorShuffle.fromValues(F, 4, 5, 6, 7, 12, 13, 14, 15);
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_256;

    /**
     * 8 bf16 rows (from byte {@code src}, {@code rb} apart) × columns [0, kc16) of this k block into the panel at
     * {@code dst[o + p*16 + c]}, c < 8. Per 16 columns: one 32-byte load per row; as ints, {@code << 16} gives the
     * even columns and {@code & 0xFFFF0000} the odd ones (exact bf16 → f32); each set of 8 rows × 8 columns is
     * transposed in registers (three rounds of two-input shuffles) and stored as 8 contiguous half rows of the panel.
     */
    private static void packBf16Block8(MemorySegment d, long rb, long src, int kc16, float[] dst, int o) {
        java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
        for (int p = 0; p < kc16; p += 16) {
            long at = src + 2L * p;
            IntVector i0 = IntVector.fromMemorySegment(IS, d, at, le), i1 = IntVector.fromMemorySegment(IS, d, at + rb, le);
            IntVector i2 = IntVector.fromMemorySegment(IS, d, at + 2 * rb, le), i3 = IntVector.fromMemorySegment(IS, d, at + 3 * rb, le);
            IntVector i4 = IntVector.fromMemorySegment(IS, d, at + 4 * rb, le), i5 = IntVector.fromMemorySegment(IS, d, at + 5 * rb, le);
            IntVector i6 = IntVector.fromMemorySegment(IS, d, at + 6 * rb, le), i7 = IntVector.fromMemorySegment(IS, d, at + 7 * rb, le);
            // Written out in the loop, not in a helper taking vectors: a vector passed to a call C2 declines to
            // inline is boxed (a helper version ran at 1.3–1.8 ns per weight, this one at 0.47).
            for (int eo = 0; eo < 2; eo++) {
                FloatVector a0, a1, a2, a3, a4, a5, a6, a7;
                if (eo == 0) { // even columns of the 16: the low halves of the ints, moved up
                    a0 = i0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a1 = i1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a2 = i2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a3 = i3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a4 = i4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a5 = i5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a6 = i6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a7 = i7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                } else { // odd columns: the high halves in place
                    a0 = i0.and(0xFFFF0000).reinterpretAsFloats();
                    a1 = i1.and(0xFFFF0000).reinterpretAsFloats();
                    a2 = i2.and(0xFFFF0000).reinterpretAsFloats();
                    a3 = i3.and(0xFFFF0000).reinterpretAsFloats();
                    a4 = i4.and(0xFFFF0000).reinterpretAsFloats();
                    a5 = i5.and(0xFFFF0000).reinterpretAsFloats();
                    a6 = i6.and(0xFFFF0000).reinterpretAsFloats();
                    a7 = i7.and(0xFFFF0000).reinterpretAsFloats();
                }
                // a_c lane l = row c, column 2l + eo; transpose so that vector l holds the 8 rows of that column
                FloatVector b0 = a0.rearrange(T1_LO, a1), b1 = a0.rearrange(T1_HI, a1), b2 = a2.rearrange(T1_LO, a3), b3 = a2.rearrange(T1_HI, a3);
                FloatVector b4 = a4.rearrange(T1_LO, a5), b5 = a4.rearrange(T1_HI, a5), b6 = a6.rearrange(T1_LO, a7), b7 = a6.rearrange(T1_HI, a7);
                FloatVector c0 = b0.rearrange(T2_LO, b2), c1 = b1.rearrange(T2_LO, b3), c2 = b0.rearrange(T2_HI, b2), c3 = b1.rearrange(T2_HI, b3);
                FloatVector c4 = b4.rearrange(T2_LO, b6), c5 = b5.rearrange(T2_LO, b7), c6 = b4.rearrange(T2_HI, b6), c7 = b5.rearrange(T2_HI, b7);
                int db = o + (p + eo) * NR;
                c0.rearrange(T3_LO, c4).intoArray(dst, db);
                c1.rearrange(T3_LO, c5).intoArray(dst, db + 2 * NR);
                c2.rearrange(T3_LO, c6).intoArray(dst, db + 4 * NR);
                c3.rearrange(T3_LO, c7).intoArray(dst, db + 6 * NR);
                c0.rearrange(T3_HI, c4).intoArray(dst, db + 8 * NR);
                c1.rearrange(T3_HI, c5).intoArray(dst, db + 10 * NR);
                c2.rearrange(T3_HI, c6).intoArray(dst, db + 12 * NR);
                c3.rearrange(T3_HI, c7).intoArray(dst, db + 14 * NR);
            }
        }
    }

    /** Panel jr, columns p in [p0, kc) of the k block, one weight at a time (any format, edge panels). */
    private static void packRowsScalar(WeightMatrix w, int jc, int jr, int nc, int pc, int kc, int p0, float[] dst) {
        MemorySegment d = w.data();
        long rb = w.rowBytes();
        {
            int base = jr * kc * NR;
            for (int c = 0; c < NR; c++) {
                int j = jr * NR + c;
                int o = base + c;
                if (j >= nc) {
                    for (int p = p0; p < kc; p++) dst[o + p * NR] = 0f;
                    continue;
                }
                long row = (jc + j) * rb;
                switch (w.format()) {
                    case F32 -> {
                        long src = row + 4L * pc;
                        for (int p = p0; p < kc; p++) dst[o + p * NR] = d.get(F32_LE, src + 4L * p);
                    }
                    case BF16 -> {
                        long src = row + 2L * pc;
                        for (int p = p0; p < kc; p++) dst[o + p * NR] = Float.intBitsToFloat(d.get(I16_LE, src + 2L * p) << 16);
                    }
                    case F16 -> {
                        long src = row + 2L * pc;
                        for (int p = p0; p < kc; p++) dst[o + p * NR] = Float.float16ToFloat(d.get(I16_LE, src + 2L * p));
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
