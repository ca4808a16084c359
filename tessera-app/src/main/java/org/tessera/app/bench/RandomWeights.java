package org.tessera.app.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;
import org.tessera.core.DType;
import org.tessera.core.LargePages;
import org.tessera.core.kernels.WeightMatrix;

/**
 * Random weights made in memory (on huge pages where possible, as a mapped checkpoint is on this kernel: see LargePages) for benchmarks at real model shapes without a checkpoint, stored as f32, bf16, f16
 * or Q8_0 (quantised from bf16, as {@code --int8-llm} quantises a checkpoint at load). Values are uniform with a
 * fan-in scale (so activations stay finite through many layers); timing does not depend on them.
 */
final class RandomWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Arena arena = Arena.ofShared(); // the kernels read from the pool's threads
    private final WeightMatrix.Format format;
    private long state;

    RandomWeights(long seed) {
        this(seed, WeightMatrix.Format.BF16);
    }

    RandomWeights(long seed, WeightMatrix.Format format) {
        state = seed * 0x9E3779B97F4A7C15L + 1;
        this.format = format;
    }

    /** Parses a benchmark's {@code --dtype}: f32, bf16, f16, q8 (also int8, q8_0). */
    static WeightMatrix.Format parseDtype(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> WeightMatrix.Format.F32;
            case "bf16", "bfloat16" -> WeightMatrix.Format.BF16;
            case "f16", "fp16", "float16" -> WeightMatrix.Format.F16;
            case "q8", "q8_0", "int8" -> WeightMatrix.Format.Q8_0;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (f32, bf16, f16, q8)");
        };
    }

    /** The short name benchmarks print. */
    static String name(WeightMatrix.Format f) {
        return switch (f) {
            case F32 -> "f32";
            case BF16 -> "bf16";
            case F16 -> "f16";
            case Q8_0 -> "q8";
        };
    }

    /** Uniform in [-1, 1): xorshift64*, far cheaper than Gaussian draws for a billion weights. */
    private float next() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        long r = state * 0x2545F4914F6CDD1DL;
        return ((r >>> 40) / (float) (1 << 24)) * 2 - 1;
    }

    /** A [rows, cols] matrix in this generator's format. */
    WeightMatrix matrix(int rows, int cols) {
        return matrix(rows, cols, format);
    }

    /** A [rows, cols] matrix in the given format. */
    WeightMatrix matrix(int rows, int cols, WeightMatrix.Format f) {
        float scale = (float) Math.sqrt(3.0 / cols);
        long n = (long) rows * cols;
        switch (f) {
            case F32 -> {
                MemorySegment seg = LargePages.allocate(arena, 4L * n);
                for (long i = 0; i < n; i++) seg.setAtIndex(F32, i, next() * scale);
                return WeightMatrix.of(seg, DType.F32, rows, cols);
            }
            case F16 -> {
                MemorySegment seg = LargePages.allocate(arena, 2L * n);
                for (long i = 0; i < n; i++) seg.setAtIndex(I16, i, Float.floatToFloat16(next() * scale));
                return WeightMatrix.of(seg, DType.F16, rows, cols);
            }
            case BF16 -> {
                MemorySegment seg = LargePages.allocate(arena, 2L * n);
                for (long i = 0; i < n; i++) seg.setAtIndex(I16, i, WeightMatrix.floatToBf16(next() * scale));
                return WeightMatrix.of(seg, DType.BF16, rows, cols);
            }
            case Q8_0 -> {
                try (Arena tmp = Arena.ofShared()) { // the bf16 source is dropped once quantised
                    MemorySegment seg = tmp.allocate(2L * n, 64);
                    for (long i = 0; i < n; i++) seg.setAtIndex(I16, i, WeightMatrix.floatToBf16(next() * scale));
                    return WeightMatrix.of(seg, DType.BF16, rows, cols).quantizeQ8(arena);
                }
            }
            default -> throw new IllegalArgumentException(f.toString());
        }
    }

    float[] vector(int n, float center, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = center + spread * next();
        return v;
    }
}
