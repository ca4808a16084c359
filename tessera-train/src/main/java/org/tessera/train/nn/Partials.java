package org.tessera.train.nn;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Per-block partial sums of a parameter gradient, reduced in block order so that a result never depends on which
 * thread finished first (training runs are then repeatable bit for bit, which resuming relies on).
 */
final class Partials {
    private final Map<Integer, double[]> parts = new ConcurrentSkipListMap<>();

    void put(int blockStart, double[] partial) {
        parts.put(blockStart, partial);
    }

    /** {@code g += Σ partials}, in block order. */
    void reduceInto(float[] g) {
        if (parts.isEmpty()) return;
        double[] sum = new double[g.length];
        for (double[] p : parts.values()) for (int i = 0; i < sum.length; i++) sum[i] += p[i];
        for (int i = 0; i < g.length; i++) g[i] += (float) sum[i];
    }
}
