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
 *   <li>{@code dX = dY·W} is {@code Gemm(dY, Wᵀ)} with Wᵀ kept per parameter ({@code Parameter.transposed()});</li>
 *   <li>{@code dW += dYᵀ·X} is {@code Gemm(dYᵀ, Xᵀ)}: both transposes cost O(m·(n + k)) against the product's
 *       O(m·n·k).</li>
 * </ul>
 * So the heavy work of a training step runs on the same tuned kernel as inference, on all threads.
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

    /**
     * {@code g[n, k] += dyᵀ·x} over m rows: {@code g[j, p] += Σ_i dy[dyOff + i·n + j]·x[xOff + i·k + p]} — the weight
     * gradient of a Linear layer (and of anything else that is a sum of outer products).
     */
    public static void accumulateOuter(float[] dy, int dyOff, int m, int n, float[] x, int xOff, int k, float[] g) {
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
