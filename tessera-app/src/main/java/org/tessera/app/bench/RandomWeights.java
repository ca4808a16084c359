package org.tessera.app.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.tessera.core.DType;
import org.tessera.core.kernels.WeightMatrix;

/**
 * Random BF16 weights made in memory for benchmarks at real model shapes without a checkpoint. Values are uniform
 * with a fan-in scale (so activations stay finite through many layers); timing does not depend on them.
 */
final class RandomWeights {
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Arena arena = Arena.ofShared(); // the kernels read from the pool's threads
    private long state;

    RandomWeights(long seed) {
        state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    /** Uniform in [-1, 1): xorshift64*, far cheaper than Gaussian draws for a billion weights. */
    private float next() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        long r = state * 0x2545F4914F6CDD1DL;
        return ((r >>> 40) / (float) (1 << 24)) * 2 - 1;
    }

    WeightMatrix matrix(int rows, int cols) {
        MemorySegment seg = arena.allocate(2L * rows * cols, 64);
        float scale = (float) Math.sqrt(3.0 / cols);
        for (long i = 0; i < (long) rows * cols; i++) seg.setAtIndex(BF16, i, WeightMatrix.floatToBf16(next() * scale));
        return WeightMatrix.of(seg, DType.BF16, rows, cols);
    }

    float[] vector(int n, float center, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = center + spread * next();
        return v;
    }
}
