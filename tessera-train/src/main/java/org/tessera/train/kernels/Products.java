package org.tessera.train.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.WeightMatrix;

/**
 * The matrix products a backward pass needs besides the forward's {@code Y = X·Wᵀ}, built on tessera-core's
 * multi-threaded {@link Gemm} (which computes {@code A·Bᵀ} for a packed B) plus cheap transposes:
 * <ul>
 *   <li>{@code dX = dY·W} is {@code Gemm(dY, Wᵀ)} with Wᵀ kept per parameter ({@code Parameter.transposed()}, rebuilt
 *       once per update: O(n·k) against the product's O(m·n·k));</li>
 *   <li>{@code dW += dYᵀ·X} has a kernel of its own here ({@link #accumulateOuter}) with Gemm's micro-kernel shape,
 *       reading both inputs in place.</li>
 * </ul>
 * So the heavy work of a training step runs on tuned, multi-threaded kernels.
 */
public final class Products {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    private static final int BLOCK = 32;

    private Products() {}

    /** {@code out[outOff + c·rows + r] = a[aOff + r·cols + c]}: a {@code [rows, cols]} → {@code [cols, rows]}. */
    public static void transpose(float[] a, int aOff, int rows, int cols, float[] out, int outOff) {
        int rowBlocks = (rows + BLOCK - 1) / BLOCK;
        Parallel.BlockBody body = (b0, b1) -> {
            for (int rb = b0; rb < b1; rb++) {
                int r0 = rb * BLOCK, r1 = Math.min(rows, r0 + BLOCK);
                for (int c0 = 0; c0 < cols; c0 += BLOCK) {
                    int c1 = Math.min(cols, c0 + BLOCK);
                    for (int r = r0; r < r1; r++) {
                        int src = aOff + r * cols;
                        for (int c = c0; c < c1; c++) out[outOff + c * rows + r] = a[src + c];
                    }
                }
            }
        };
        if ((long) rows * cols < 1 << 16) body.run(0, rowBlocks);
        else Parallel.forBlocks(rowBlocks, body);
    }

    /** {@code dx[m, k] = dy[m, n]·W[n, k]}, given {@code wT = Wᵀ [k, n]}; overwrites dx. */
    public static void matmulNN(float[] dy, int m, WeightMatrix wT, float[] dx) {
        Gemm.matmul(dy, 0, m, wT, null, dx, 0);
    }

    /** Rows of g (outputs) and columns of g (inputs) per work unit of {@link #accumulateOuter}, and rows of dy/x per pass. */
    static final int TN_NB = 64, TN_KB = 256, TN_IB = 256;

    /** Per-thread packing buffers of {@link #accumulateOuter}: dy as 4-wide panels, x as 16-wide panels, an edge tile. */
    private static final ThreadLocal<float[][]> TN_SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[TN_NB * TN_IB], new float[TN_KB * TN_IB], new float[64]});

    /**
     * {@code g[n, k] += dyᵀ·x} over m rows: {@code g[j, p] += Σ_i dy[dyOff + i·n + j]·x[xOff + i·k + p]} — the weight
     * gradient of a Linear layer (and of anything else that is a sum of outer products).
     *
     * <p>A "transposed-A" GEMM built like tessera-core's {@link Gemm}: work units are 64×256 blocks of g, run in
     * parallel; per pass over 256 rows a unit packs its slice of dy into 4-wide panels {@code [q][i][4]} and its slice
     * of x into 16-wide panels {@code [panel][i][16]} (both straight copies of row segments: nothing is transposed), then
     * a 4×16 register tile of g walks down the rows — 4 broadcasts, 2 vector loads and 8 FMAs per row, as Gemm's
     * micro-kernel. Each g element gets one float32 FMA chain per pass, then one addition.
     */
    public static void accumulateOuter(float[] dy, int dyOff, int m, int n, float[] x, int xOff, int k, float[] g) {
        if (m == 0) return;
        java.util.Objects.checkFromIndexSize(dyOff, m * n, dy.length);
        java.util.Objects.checkFromIndexSize(xOff, m * k, x.length);
        java.util.Objects.checkFromIndexSize(0, n * k, g.length);
        int nUnits = (n + TN_NB - 1) / TN_NB, kUnits = (k + TN_KB - 1) / TN_KB;
        java.util.function.IntConsumer unit = u -> {
            int n0 = (u / kUnits) * TN_NB, n1 = Math.min(n, n0 + TN_NB);
            int k0 = (u % kUnits) * TN_KB, k1 = Math.min(k, k0 + TN_KB);
            int quads = (n1 - n0 + 3) / 4, panels = (k1 - k0 + 15) / 16;
            float[][] sc = TN_SCRATCH.get();
            float[] ap = sc[0], bp = sc[1], tile = sc[2];
            for (int i0 = 0; i0 < m; i0 += TN_IB) {
                int len = Math.min(TN_IB, m - i0);
                for (int p = 0; p < len; p++) {
                    int arow = dyOff + (i0 + p) * n, brow = xOff + (i0 + p) * k;
                    for (int q = 0; q < quads; q++) {
                        int base = q * len * 4 + p * 4, c0 = n0 + q * 4;
                        for (int r = 0; r < 4; r++) ap[base + r] = c0 + r < n1 ? dy[arow + c0 + r] : 0f;
                    }
                    for (int jp = 0; jp < panels; jp++) {
                        int base = jp * len * 16 + p * 16, c0 = k0 + jp * 16, w = Math.min(16, k1 - c0);
                        System.arraycopy(x, brow + c0, bp, base, w);
                        for (int c = w; c < 16; c++) bp[base + c] = 0f;
                    }
                }
                for (int q = 0; q < quads; q++) {
                    int r0 = n0 + q * 4, rows = Math.min(4, n1 - r0);
                    for (int jp = 0; jp < panels; jp++) {
                        int c0 = k0 + jp * 16, cols = Math.min(16, k1 - c0);
                        if (rows == 4 && cols == 16) {
                            org.tessera.core.kernels.Gemm.kernel(ap, q * len * 4, bp, jp * len * 16, len, g, r0 * k + c0, k, true);
                        } else {
                            java.util.Arrays.fill(tile, 0f);
                            org.tessera.core.kernels.Gemm.kernel(ap, q * len * 4, bp, jp * len * 16, len, tile, 0, 16, true);
                            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) g[(r0 + r) * k + c0 + c] += tile[r * 16 + c];
                        }
                    }
                }
            }
        };
        int units = nUnits * kUnits;
        if ((long) m * n * k >= 1L << 20 && units > 1) Parallel.forRange(units, unit);
        else for (int u = 0; u < units; u++) unit.accept(u);
    }


    /** The transpose-and-{@link Gemm} form of {@link #accumulateOuter} (the reference it is tested against). */
    static void accumulateOuterViaGemm(float[] dy, int dyOff, int m, int n, float[] x, int xOff, int k, float[] g) {
        if (m == 0) return;
        float[] dyT = new float[n * m];
        transpose(dy, dyOff, m, n, dyT, 0);
        float[] xT = new float[k * m];
        transpose(x, xOff, m, k, xT, 0);
        float[] prod = new float[n * k];
        Gemm.matmul(dyT, 0, n, WeightMatrix.ofFloats(xT, k, m), null, prod, 0);
        add(g, 0, prod, 0, n * k);
    }

    /** {@code g[c] += Σ_i dy[i·n + c]}: a bias gradient (column sums of a {@code [m, n]} matrix). */
    public static void accumulateColumnSums(float[] dy, int m, int n, float[] g) {
        // Per column in row order: deterministic and exact enough (m terms each).
        for (int i = 0; i < m; i++) add(g, 0, dy, i * n, n);
    }

    /** {@code dst[dOff + i] += src[sOff + i]} for i < len. */
    public static void add(float[] dst, int dOff, float[] src, int sOff, int len) {
        Parallel.BlockBody body = (a, b) -> {
            int i = a;
            for (; i <= b - L; i += L) {
                FloatVector.fromArray(F, dst, dOff + i).add(FloatVector.fromArray(F, src, sOff + i)).intoArray(dst, dOff + i);
            }
            for (; i < b; i++) dst[dOff + i] += src[sOff + i];
        };
        if (len < 1 << 16) {
            body.run(0, len);
            return;
        }
        int chunk = 1 << 14, chunks = (len + chunk - 1) / chunk;
        Parallel.forBlocks(chunks, (c0, c1) -> body.run(c0 * chunk, Math.min(len, c1 * chunk)));
    }

    /** {@code Σ a[aOff + i]·b[bOff + i]} for i < len, in float32 vector lanes. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= len - L; i += L) acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < len; i++) s = Math.fma(a[aOff + i], b[bOff + i], s);
        return s;
    }

    /** {@code y[yOff + i] += alpha·x[xOff + i]} for i < len. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
}
