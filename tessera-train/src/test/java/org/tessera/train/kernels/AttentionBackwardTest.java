package org.tessera.train.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The blocked attention backward equals the row-by-row one, causal and bidirectional, across block edges. */
class AttentionBackwardTest {
    @Test
    void blockedEqualsRowByRow() {
        Random r = new Random(3);
        for (boolean causal : new boolean[] {true, false}) {
            int heads = 4, kvh = 2, d = 16, qs = heads * d + 5, ks = kvh * d + 3;
            int[] segs = {0, 7, 7 + 270, 7 + 270 + 40};
            int rows = segs[3];
            float[] q = ProductsTest.rnd(r, rows * qs), k = ProductsTest.rnd(r, rows * ks), v = ProductsTest.rnd(r, rows * ks);
            float[] dO = ProductsTest.rnd(r, rows * heads * d);
            float[] dq1 = new float[q.length], dk1 = new float[k.length], dv1 = new float[v.length];
            float[] dq2 = dq1.clone(), dk2 = dk1.clone(), dv2 = dv1.clone();
            AttentionBackward.backward(q, 2, qs, k, 1, ks, v, 0, ks, dO, 0, heads * d, dq1, dk1, dv1, segs, heads, kvh, d, 0.25f, causal);
            AttentionBackward.backwardReference(q, 2, qs, k, 1, ks, v, 0, ks, dO, 0, heads * d, dq2, dk2, dv2, segs, heads, kvh, d, 0.25f, causal);
            for (float[][] pair : new float[][][] {{dq1, dq2}, {dk1, dk2}, {dv1, dv2}}) {
                double e = 0, m = 0;
                for (int i = 0; i < pair[0].length; i++) {
                    e = Math.max(e, Math.abs(pair[0][i] - pair[1][i]));
                    m = Math.max(m, Math.abs(pair[1][i]));
                }
                assertTrue(e <= 1e-5 * m, "causal " + causal + ": " + e + " of " + m);
            }
        }
    }
}
