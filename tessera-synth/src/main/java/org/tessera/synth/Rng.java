package org.tessera.synth;

import java.util.List;

/**
 * The one random source of the generator: SplitMix64 written out here, so that a (seed, split, index) gives the same
 * numbers on every JDK, forever (java.util's generators promise no such thing across versions).
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        return mix(state += 0x9E3779B97F4A7C15L);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long r = (nextLong() >>> 1) % bound;
        return (int) r; // the modulo bias is below 2^-30 for every bound we use
    }

    /** Uniform in [lo, hi], both inclusive. */
    public int range(int lo, int hi) {
        if (hi < lo) throw new IllegalArgumentException("empty range " + lo + ".." + hi);
        return lo + nextInt(hi - lo + 1);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Log-uniform in [lo, hi]: as many samples between 6 and 12 as between 12 and 24. */
    public double logUniform(double lo, double hi) {
        if (hi <= lo) return lo;
        return Math.exp(uniform(Math.log(lo), Math.log(hi)));
    }

    public boolean chance(double p) {
        return nextDouble() < p;
    }

    public <T> T pick(List<T> list) {
        return list.get(nextInt(list.size()));
    }

    @SafeVarargs
    public final <T> T pick(T... items) {
        return items[nextInt(items.length)];
    }

    /** k distinct elements of the list, in random order (k is clamped to the list's size). */
    public <T> List<T> sample(List<T> list, int k) {
        int n = list.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        k = Math.min(k, n);
        java.util.ArrayList<T> out = new java.util.ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int j = i + nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out.add(list.get(idx[i]));
        }
        return out;
    }

    public <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** The generator of one sample: a pure function of (seed, split, index, attempt). */
    public static Rng forSample(long seed, Split split, long index, int attempt) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        h = mix(h ^ split.salt());
        h = mix(h + index * 0x9E3779B97F4A7C15L);
        h = mix(h ^ (attempt * 0xD1B54A32D192ED03L));
        return new Rng(h);
    }
}
