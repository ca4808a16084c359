package org.tessera.core.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import org.tessera.core.DType;

/**
 * A weight matrix in PyTorch {@code Linear} layout, {@code [rows = out_features, cols = in_features]}, row-major,
 * read in place from a {@link MemorySegment} in its stored element type (usually a memory-mapped checkpoint).
 * Nothing is converted or copied on construction: the kernels decode F32/BF16/F16 on the fly, so a mapped
 * BF16 checkpoint costs no heap and no start-up time.
 *
 * <p>{@link Format#Q8_0} is the one format made at load time (by {@link #quantizeQ8}): each row is cut into blocks of
 * {@value #Q8_BLOCK} along {@code cols}; a block stores 32 signed bytes {@code q} and one f32 scale {@code s}, and
 * stands for the weights {@code (float) (q * s)} (the product rounded to f32 — the kernels and the reference both
 * use exactly that value). Rows are padded with zero bytes to a whole number of blocks.
 *
 * <p>The kernels read the segments from the threads of {@link org.tessera.core.Parallel}, so they must belong to a
 * shared, global or automatic arena (a mapped file opened with {@code Arena.ofShared()} is right); a confined
 * arena's segment fails with {@link WrongThreadException}.
 */
public final class WeightMatrix {

    /** Storage formats the kernels read. */
    public enum Format {
        F32(4), BF16(2), F16(2), Q8_0(1);

        final int elementBytes;

        Format(int elementBytes) { this.elementBytes = elementBytes; }

        /** The format that stores a tensor of this dtype as-is; Q8_0 has no DType and comes from {@link #quantizeQ8}. */
        public static Format of(DType t) {
            return switch (t) {
                case F32 -> F32;
                case BF16 -> BF16;
                case F16 -> F16;
                default -> throw new IllegalArgumentException("no matmul kernel reads weights of dtype " + t);
            };
        }
    }

    /** Elements per Q8_0 block along a row. */
    public static final int Q8_BLOCK = 32;

    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Format format;
    private final MemorySegment data;
    private final MemorySegment scales; // Q8_0 only: f32 [rows][blocksPerRow], little-endian
    private final int rows;
    private final int cols;
    private final long rowBytes; // stride between rows of data
    /**
     * The weights decoded to contiguous f32, made on first use by the opt-in native backend ({@link NativeBlas}) for
     * formats cblas_sgemm cannot read; null until then and always null on the default Java path.
     */
    volatile MemorySegment nativeF32;

    private WeightMatrix(Format format, MemorySegment data, MemorySegment scales, int rows, int cols) {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("shape must be positive, got [" + rows + ", " + cols + "]");
        this.format = format;
        this.data = Objects.requireNonNull(data, "data");
        this.scales = scales;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = format == Format.Q8_0 ? (long) blocksPerRow(cols) * Q8_BLOCK : (long) cols * format.elementBytes;
        long need = rowBytes * rows;
        if (data.byteSize() < need) {
            throw new IllegalArgumentException("weight segment holds " + data.byteSize() + " bytes, [" + rows + ", " + cols + "] "
                    + format + " needs " + need);
        }
        if (format == Format.Q8_0) {
            long needScales = 4L * rows * blocksPerRow(cols);
            if (scales == null || scales.byteSize() < needScales) throw new IllegalArgumentException("Q8_0 scales need " + needScales + " bytes");
        }
    }

    /** Wraps a segment holding {@code [rows, cols]} elements of {@code dtype} (F32, BF16 or F16), little-endian, row-major. */
    public static WeightMatrix of(MemorySegment data, DType dtype, int rows, int cols) {
        return new WeightMatrix(Format.of(dtype), data, null, rows, cols);
    }

    /** Wraps a float array holding {@code [rows, cols]} row-major (tests, small models). */
    public static WeightMatrix ofFloats(float[] data, int rows, int cols) {
        return new WeightMatrix(Format.F32, MemorySegment.ofArray(data), null, rows, cols);
    }

    /** Wraps Q8_0 parts made elsewhere (a cache file): bytes {@code [rows][blocks*32]}, f32 scales {@code [rows][blocks]}. */
    public static WeightMatrix ofQ8(MemorySegment quants, MemorySegment scales, int rows, int cols) {
        return new WeightMatrix(Format.Q8_0, quants, scales, rows, cols);
    }

    static int blocksPerRow(int cols) {
        return (cols + Q8_BLOCK - 1) / Q8_BLOCK;
    }

    /**
     * Quantises to Q8_0 into memory of {@code arena}: per block of 32, {@code s = max|w| / 127},
     * {@code q = rint(w / s)} (so |q| <= 127 and the rounding error per weight is at most s/2 = max|w|/254), and an
     * all-zero block gets s = 0. Runs rows in parallel on {@link org.tessera.core.Parallel}.
     */
    public WeightMatrix quantizeQ8(Arena arena) {
        if (format == Format.Q8_0) return this;
        int blocks = blocksPerRow(cols);
        MemorySegment q = org.tessera.core.LargePages.allocate(arena, (long) rows * blocks * Q8_BLOCK); // streamed per token: huge pages
        MemorySegment s = arena.allocate(4L * rows * blocks, 64);
        org.tessera.core.Parallel.forBlocks(rows, (r0, r1) -> {
            float[] row = new float[blocks * Q8_BLOCK];
            for (int r = r0; r < r1; r++) {
                decodeRow(r, row, 0); // tail beyond cols stays 0 from allocation and is never overwritten
                long qBase = (long) r * blocks * Q8_BLOCK;
                for (int b = 0; b < blocks; b++) {
                    float amax = 0f;
                    for (int i = 0; i < Q8_BLOCK; i++) amax = Math.max(amax, Math.abs(row[b * Q8_BLOCK + i]));
                    float scale = amax / 127f;
                    // Dividing by the rounded scale can give |w/s| slightly above 127 at the block maximum; clamp.
                    float inv = scale == 0f ? 0f : 1f / scale;
                    for (int i = 0; i < Q8_BLOCK; i++) {
                        float v = (float) Math.rint(row[b * Q8_BLOCK + i] * inv);
                        v = Math.max(-127f, Math.min(127f, v));
                        q.set(ValueLayout.JAVA_BYTE, qBase + (long) b * Q8_BLOCK + i, (byte) v);
                    }
                    s.set(F32_LE, 4L * ((long) r * blocks + b), scale);
                }
            }
        });
        return new WeightMatrix(Format.Q8_0, q, s, rows, cols);
    }

    /** Quantises to Q8_0 into automatically managed memory. */
    public WeightMatrix quantizeQ8() {
        return quantizeQ8(Arena.ofAuto());
    }

    public Format format() { return format; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    /** The raw element (or Q8_0 quant) bytes. */
    public MemorySegment data() { return data; }
    /** Q8_0 scales, null for other formats. */
    public MemorySegment scales() { return scales; }
    long rowBytes() { return rowBytes; }

    /** Bytes a kernel reads to stream the whole matrix once (quants plus scales for Q8_0). */
    public long storedBytes() {
        return rowBytes * rows + (scales == null ? 0 : 4L * rows * blocksPerRow(cols));
    }

    /** One weight as f32, exactly as the kernels see it (slow; for references and tests). */
    public float get(int row, int col) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, cols);
        long base = row * rowBytes;
        return switch (format) {
            case F32 -> data.get(F32_LE, base + 4L * col);
            case BF16 -> bf16ToFloat(data.get(I16_LE, base + 2L * col));
            case F16 -> Float.float16ToFloat(data.get(I16_LE, base + 2L * col));
            case Q8_0 -> data.get(ValueLayout.JAVA_BYTE, base + col)
                    * scales.get(F32_LE, 4L * ((long) row * blocksPerRow(cols) + col / Q8_BLOCK));
        };
    }

    /** Decodes row {@code row} into {@code dst[off .. off + cols)}. */
    public void decodeRow(int row, float[] dst, int off) {
        for (int c = 0; c < cols; c++) dst[off + c] = get(row, c);
    }

    /** bf16 is the top half of an f32, so widening is exact: shift the bits up. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** f32 to bf16 with round-to-nearest-even (NaN kept quiet); for tests and tools that make bf16 data. */
    public static short floatToBf16(float f) {
        int b = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((b >>> 16) | 0x40);
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    @Override
    public String toString() {
        return "WeightMatrix[" + rows + ", " + cols + "] " + format;
    }
}
