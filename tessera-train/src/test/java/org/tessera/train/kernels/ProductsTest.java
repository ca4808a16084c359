package org.tessera.train.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tessera.core.kernels.WeightMatrix;

/** The backward products against plain double loops, on shapes with every kind of edge. */
class ProductsTest {
    static float[] rnd(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void outerProductAccumulation() {
        Random r = new Random(1);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {129, 4, 16}, {300, 67, 270}, {17, 64, 256}, {260, 130, 590}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] dy = rnd(r, m * n + 3), x = rnd(r, m * k + 5);
            float[] g = rnd(r, n * k), g2 = g.clone();
            Products.accumulateOuter(dy, 3, m, n, x, 5, k, g);
            Products.accumulateOuterViaGemm(dy, 3, m, n, x, 5, k, g2);
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    double want = g2[j * k + p];
                    double bound = 1e-5 * Math.sqrt(m) * 4 + 1e-5;
                    assertTrue(Math.abs(g[j * k + p] - want) <= bound, m + "x" + n + "x" + k + " at " + j + "," + p + ": " + g[j * k + p] + " vs " + want);
                }
            }
            // and the Gemm form against double
            double[] ref = new double[n * k];
            float[] g0 = new float[n * k];
            Products.accumulateOuter(dy, 3, m, n, x, 5, k, g0);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) ref[j * k + p] += (double) dy[3 + i * n + j] * x[5 + i * k + p];
            for (int e = 0; e < ref.length; e++) assertTrue(Math.abs(g0[e] - ref[e]) <= 1e-5 * m + 1e-6, "vs double at " + e);
        }
    }

    @Test
    void transposeAndNN() {
        Random r = new Random(2);
        float[] a = rnd(r, 37 * 91), t = new float[91 * 37];
        Products.transpose(a, 0, 37, 91, t, 0);
        for (int i = 0; i < 37; i++) for (int j = 0; j < 91; j++) assertTrue(t[j * 37 + i] == a[i * 91 + j]);
        float[] back = new float[37 * 91];
        Products.transpose(t, 0, 91, 37, back, 0);
        assertArrayEquals(a, back);
        // dx = dy·W with W [n=91? no: W is [n, k]] given its transpose
        int m = 9, n = 37, k = 91;
        float[] dy = rnd(r, m * n), dx = new float[m * k];
        Products.matmulNN(dy, m, WeightMatrix.ofFloats(t, k, n), dx); // a is W [n, k], t = Wᵀ
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) dy[i * n + j] * a[j * k + p];
                assertTrue(Math.abs(dx[i * k + p] - s) < 1e-4);
            }
        }
    }
}
