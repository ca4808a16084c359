package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cache's panel layout must give exactly what attention over plain [pos][kvHead][d] arrays gives when both take
 * the blocked kernel (same summation order, so bitwise equal; AttentionTest checks that path against the
 * reference). A single query token over arrays takes the direct decode path, which sums in another order, so decode
 * steps are checked against the reference at AttentionTest's tolerance instead.
 */
class KvCacheTest {

    @Test
    void prefillThenDecodeMatchesPlainArrays() {
        int nKv = 2, nHeads = 6, d = 40, prefill = 37, steps = 30; // d not a multiple of 16; crosses key blocks of 64
        SplittableRandom r = new SplittableRandom(12);
        int total = prefill + steps;
        float[] k = KernelTestData.gaussian(r, total * nKv * d, 1), v = KernelTestData.gaussian(r, total * nKv * d, 1);
        float[] q = KernelTestData.gaussian(r, total * nHeads * d, 1);
        float scale = 1f / (float) Math.sqrt(d);
        KvCache cache = new KvCache(nKv, d, 100);

        // Prefill: causal attention of the first 37 tokens over themselves.
        cache.append(k, 0, v, 0, prefill);
        float[] got = new float[prefill * nHeads * d], want = new float[prefill * nHeads * d];
        Attention.attention(q, cache, got, prefill, nHeads, scale, true, 0);
        Attention.attention(q, k, v, want, prefill, prefill, nHeads, nKv, d, scale, true, 0);
        assertArrayEquals(want, got);

        // Decode: append one position, attend from it over everything so far.
        for (int t = prefill; t < total; t++) {
            cache.append(k, t * nKv * d, v, t * nKv * d, 1);
            float[] qt = Arrays.copyOfRange(q, t * nHeads * d, (t + 1) * nHeads * d);
            float[] g1 = new float[nHeads * d], w1 = new float[nHeads * d];
            Attention.attention(qt, cache, g1, 1, nHeads, scale, true, t);
            Attention.attention(qt, k, v, w1, 1, t + 1, nHeads, nKv, d, scale, true, t);
            ReferenceKernels.AttentionResult ref = ReferenceKernels.attention(qt, k, v, 1, t + 1, nHeads, nKv, d, scale, true, t);
            AttentionTest.assertClose(g1, ref, 1, t + 1, nHeads, d);
            AttentionTest.assertClose(w1, ref, 1, t + 1, nHeads, d);
        }
        assertEquals(total, cache.length());
        for (int pos : new int[] {0, 15, 16, 66}) {
            for (int h = 0; h < nKv; h++) {
                for (int i : new int[] {0, 17, d - 1}) {
                    assertEquals(k[(pos * nKv + h) * d + i], cache.key(pos, h, i));
                    assertEquals(v[(pos * nKv + h) * d + i], cache.value(pos, h, i));
                }
            }
        }
    }

    @Test
    void truncateThenAppendIsLikeNeverHavingAppended() {
        int nKv = 1, nHeads = 2, d = 16;
        SplittableRandom r = new SplittableRandom(13);
        float[] k = KernelTestData.gaussian(r, 50 * d, 1), v = KernelTestData.gaussian(r, 50 * d, 1);
        float[] junk = KernelTestData.gaussian(r, 10 * d, 100);
        float[] q = KernelTestData.gaussian(r, nHeads * d, 1);
        KvCache a = new KvCache(nKv, d, 64), b = new KvCache(nKv, d, 64);
        a.append(k, 0, v, 0, 40);
        a.append(junk, 0, junk, 0, 10); // speculative tokens, rejected
        a.truncate(40);
        a.append(k, 40 * d, v, 40 * d, 10);
        b.append(k, 0, v, 0, 50);
        float[] ga = new float[nHeads * d], gb = new float[nHeads * d];
        Attention.attention(q, a, ga, 1, nHeads, 0.25f, true, 49);
        Attention.attention(q, b, gb, 1, nHeads, 0.25f, true, 49);
        assertArrayEquals(gb, ga);
        assertThrows(IllegalStateException.class, () -> a.append(k, 0, v, 0, 15)); // capacity 64
        assertThrows(IndexOutOfBoundsException.class, () -> a.key(50, 0, 0));
    }
}
