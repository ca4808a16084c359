package org.tessera.train.data;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws examples from a {@link DataMixture}, deterministically from the seed and the number of draws so far: the
 * dataset of draw n comes from a generator seeded by (seed, n), and within a dataset examples go in a fresh shuffled
 * order each epoch. The whole state is the counters, so a resumed run continues the same sequence.
 */
public final class Sampler {
    /** One drawn example: dataset index and example index. */
    public record Draw(int dataset, int index) {}

    private final DataMixture mix;
    private final long seed;
    private final double[] cumulative;
    private long drawn;
    private final long[] perDataset;
    private final Map<Long, int[]> permutations = new HashMap<>();

    public Sampler(DataMixture mix, long seed) {
        this.mix = mix;
        this.seed = seed;
        double[] p = mix.probabilities();
        cumulative = new double[p.length];
        double c = 0;
        for (int i = 0; i < p.length; i++) cumulative[i] = c += p[i];
        perDataset = new long[p.length];
    }

    public Draw next() {
        int ds = 0;
        if (cumulative.length > 1) {
            double u = new SplittableRandom(mixBits(seed, drawn, 0x5A17)).nextDouble();
            while (ds < cumulative.length - 1 && u >= cumulative[ds]) ds++;
        }
        drawn++;
        int size = mix.datasets().get(ds).size();
        long k = perDataset[ds]++;
        long epoch = k / size;
        int[] perm = permutations.computeIfAbsent(((long) ds << 40) ^ epoch, key -> shuffle(size, mixBits(seed, key, 0xE90C)));
        if (permutations.size() > 64) permutations.clear();
        return new Draw(ds, perm[(int) (k % size)]);
    }

    private static int[] shuffle(int n, long s) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(s);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static long mixBits(long a, long b, long salt) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xBF58476D1CE4E5B9L + salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draws so far, and per dataset: the resumable state. */
    public long drawn() { return drawn; }

    public long[] perDataset() { return perDataset.clone(); }

    /** Restores counters saved by {@link #drawn()} and {@link #perDataset()}. */
    public void restore(long drawn, long[] perDataset) {
        if (perDataset.length != this.perDataset.length) throw new IllegalArgumentException("the saved sampler state has "
                + perDataset.length + " datasets, the data has " + this.perDataset.length);
        this.drawn = drawn;
        System.arraycopy(perDataset, 0, this.perDataset, 0, perDataset.length);
    }
}
