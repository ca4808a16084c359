package org.tessera.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tessera.model.ModelException;

class SamplerTest {
    static final GenerationConfig SAMPLE = GenerationConfig.sampling(10, 1.0, 42);

    static float[] randomLogits(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 3);
        return x;
    }

    static int argmax(float[] x) {
        int b = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
        return b;
    }

    static double[] softmax(float[] x, double t) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (float v : x) m = Math.max(m, v);
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) s += p[i] = Math.exp((x[i] - m) / t);
        for (int i = 0; i < x.length; i++) p[i] /= s;
        return p;
    }

    /** Draws {@code n} tokens and checks each frequency lies within 5 standard errors of {@code expected}. */
    static void assertFrequencies(Sampler s, float[] logits, double[] expected, int n) {
        int[] count = new int[logits.length];
        for (int i = 0; i < n; i++) count[s.sample(logits, logits.length)]++;
        for (int i = 0; i < logits.length; i++) {
            double f = count[i] / (double) n, p = expected[i];
            double bound = 5 * Math.sqrt(Math.max(p * (1 - p), 1e-12) / n) + 1e-9;
            assertTrue(Math.abs(f - p) <= bound, "token " + i + ": frequency " + f + " vs probability " + p + " (bound " + bound + ")");
        }
    }

    @Test
    void greedyIsArgmaxAndLeavesLogitsAlone() {
        Random r = new Random(1);
        Sampler s = new Sampler(GenerationConfig.greedy(10));
        for (int trial = 0; trial < 100; trial++) {
            float[] x = randomLogits(r, 1000);
            float[] copy = x.clone();
            assertEquals(argmax(x), s.sample(x, x.length));
            assertArrayEquals(copy, x);
        }
    }

    @Test
    void greedyTiesGoToTheLowestIdAndOnlyTheVocabIsRead() {
        Sampler s = new Sampler(GenerationConfig.greedy(10));
        assertEquals(1, s.sample(new float[] {0, 5, 5, 1}, 4));
        assertEquals(0, s.sample(new float[] {3, 1, 9}, 2)); // padding past vocab is ignored
        assertEquals(2, s.sample(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -1e30f}, 3));
    }

    @Test
    void brokenLogitsAreClearErrors() {
        Sampler s = new Sampler(SAMPLE);
        ModelException e = assertThrows(ModelException.class, () -> s.sample(new float[] {1, Float.NaN, 2}, 3));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        float[] inf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThrows(ModelException.class, () -> s.sample(inf, 2));
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[3], 4));
    }

    @Test
    void topKOneAndTinyTopPAndTinyTemperatureAreGreedy() {
        Random r = new Random(2);
        Sampler k1 = new Sampler(SAMPLE.withTopK(1));
        Sampler p0 = new Sampler(SAMPLE.withTopP(1e-9));
        Sampler t0 = new Sampler(SAMPLE.withTemperature(1e-30));
        for (int trial = 0; trial < 200; trial++) {
            float[] x = randomLogits(r, 500);
            int best = argmax(x);
            assertEquals(best, k1.sample(x, x.length));
            assertEquals(best, p0.sample(x, x.length));
            assertEquals(best, t0.sample(x, x.length));
        }
    }

    @Test
    void temperatureZeroIsGreedyAndNegativeIsRejected() {
        assertFalse(GenerationConfig.greedy(5).sampling());
        assertFalse(SAMPLE.withTemperature(0).sampling());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SAMPLE.withTemperature(-0.5));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withTemperature(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(5, 0, 1));
    }

    @Test
    void configValidation() {
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withMaxNewTokens(0));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withTopK(-1));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withTopP(1.01));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withRepetitionPenalty(0));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withRepetitionPenalty(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withStopStrings(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withStopTokenIds(-3));
        int[] ids = {5, 6};
        GenerationConfig c = SAMPLE.withStopTokenIds(ids);
        ids[0] = 99; // the record keeps its own copy
        assertTrue(c.isStopToken(5));
        assertEquals(c, SAMPLE.withStopTokenIds(5, 6));
    }

    @Test
    void repetitionPenaltyWorkedExample() {
        // HF/CTRL: positive logits of seen ids are divided by the penalty, negative ones multiplied; each id once.
        Sampler s = new Sampler(GenerationConfig.greedy(10).withRepetitionPenalty(2));
        float[] logits = {2.0f, -1.0f, 0.5f, 3.0f, 0f};
        float[] p = s.penalized(logits, 5, new int[] {0, 1, 0, 4, 0}, 5);
        assertArrayEquals(new float[] {1.0f, -2.0f, 0.5f, 3.0f, 0f}, p);
        assertArrayEquals(new float[] {2.0f, -1.0f, 0.5f, 3.0f, 0f}, logits);
        // It changes the greedy choice: 4.0 / 2 = 2.0 falls below 3.0; -1 * 2 = -2 falls below -1.5.
        assertEquals(1, s.sample(new float[] {4, 3}, 2, new int[] {0}, 1));
        assertEquals(1, s.sample(new float[] {-1, -1.5f}, 2, new int[] {0}, 1));
        // Only the first historyLength ids count.
        assertEquals(0, s.sample(new float[] {4, 3}, 2, new int[] {1, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {4, 3}, 2, new int[] {7}, 1));
    }

    @Test
    void sameSeedSameTokensDifferentSeedsDiffer() {
        float[] flat = new float[1000];
        int[] a = draws(new Sampler(SAMPLE.withSeed(7)), flat, 64);
        int[] b = draws(new Sampler(SAMPLE.withSeed(7)), flat, 64);
        int[] c = draws(new Sampler(SAMPLE.withSeed(8)), flat, 64);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        // With filters on, the same holds.
        GenerationConfig f = SAMPLE.withTopK(50).withTopP(0.9).withTemperature(0.8);
        float[] x = randomLogits(new Random(3), 2000);
        assertArrayEquals(draws(new Sampler(f.withSeed(1)), x, 64), draws(new Sampler(f.withSeed(1)), x, 64));
    }

    static int[] draws(Sampler s, float[] x, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = s.sample(x, x.length);
        return out;
    }

    @Test
    void frequenciesMatchSoftmax() {
        float[] x = {1f, 2f, 0.5f, -1f, 3f, 2f};
        assertFrequencies(new Sampler(SAMPLE.withSeed(11)), x, softmax(x, 1), 200_000);
        assertFrequencies(new Sampler(SAMPLE.withSeed(12).withTemperature(0.5)), x, softmax(x, 0.5), 200_000);
        assertFrequencies(new Sampler(SAMPLE.withSeed(13).withTemperature(2.5)), x, softmax(x, 2.5), 200_000);
    }

    @Test
    void topKKeepsTheKMostLikelyRenormalized() {
        float[] x = {1f, 2f, 0.5f, -1f, 3f, 2.5f};
        double[] full = softmax(x, 1);
        double[] expected = new double[x.length];
        double z = full[4] + full[5] + full[1];
        for (int i : new int[] {4, 5, 1}) expected[i] = full[i] / z;
        assertFrequencies(new Sampler(SAMPLE.withSeed(21).withTopK(3)), x, expected, 200_000);
        // k beyond the vocabulary keeps everything.
        assertFrequencies(new Sampler(SAMPLE.withSeed(22).withTopK(100)), x, full, 100_000);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // Probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.75 needs the first two (0.8 ≥ 0.75) and no more;
        // 0.81 needs a third; 0.4 is reached by the first alone.
        float[] x = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        assertFrequencies(new Sampler(SAMPLE.withSeed(31).withTopP(0.75)), x, new double[] {0, 0.5 / 0.8, 0, 0.3 / 0.8}, 100_000);
        assertFrequencies(new Sampler(SAMPLE.withSeed(32).withTopP(0.81)), x, new double[] {0.15 / 0.95, 0.5 / 0.95, 0, 0.3 / 0.95}, 100_000);
        assertFrequencies(new Sampler(SAMPLE.withSeed(33).withTopP(0.4)), x, new double[] {0, 1, 0, 0}, 10_000);
    }

    @Test
    void topKThenTopPComposeInHfOrder() {
        // top_k 3 first: 0.5, 0.3, 0.15 renormalized to /0.95; then top_p 0.8 over those: 0.526 + 0.316 = 0.842 ≥ 0.8.
        float[] x = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        assertFrequencies(new Sampler(SAMPLE.withSeed(41).withTopK(3).withTopP(0.8)), x, new double[] {0, 0.5 / 0.8, 0, 0.3 / 0.8}, 100_000);
    }

    @Test
    void topKSelectionMatchesFullSortOnALargeVocabulary() {
        // The heap selection must pick the same set as sorting: with k = 1 on random rows it is the argmax,
        // and with a tiny temperature every k agrees with greedy.
        Random r = new Random(5);
        for (int k : new int[] {1, 2, 7, 50, 400}) {
            Sampler s = new Sampler(SAMPLE.withTopK(k).withTemperature(1e-20));
            for (int t = 0; t < 20; t++) {
                float[] x = randomLogits(r, 5000);
                assertEquals(argmax(x), s.sample(x, x.length), "k=" + k);
            }
        }
        // A uniform row with top_k 5 may only ever return the five lowest ids (ties break by id).
        Sampler s = new Sampler(SAMPLE.withTopK(5));
        float[] flat = new float[300];
        for (int i = 0; i < 2000; i++) assertTrue(s.sample(flat, 300) < 5);
    }
}
