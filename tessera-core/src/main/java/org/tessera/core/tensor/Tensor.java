package org.tessera.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tessera.core.DType;

/**
 * A dense, row-major (C order) block of elements of one {@link DType}, viewed through a {@link MemorySegment}.
 * The storage can be on the Java heap or a memory-mapped file (a checkpoint tensor is a zero-copy view of the
 * mapping); the tensor's bytes are {@code storage[offset, offset + byteSize())}, always little-endian, since that
 * is the byte order of every file format tessera reads and lets mapped data be used without conversion.
 *
 * <p>This is deliberately not a general array framework: no strides, broadcasting or arithmetic. Views
 * ({@link #reshape}, {@link #row}, {@link #rows}) share storage; {@link #copy()} makes an owned heap copy.
 * Element accessors use unaligned layouts because mapped tensors may sit at any byte offset in a file.
 * Instances are immutable in shape and dtype; the data is as mutable as the storage (mapped checkpoints
 * are read-only, and writing to one throws {@link UnsupportedOperationException}).
 */
public final class Tensor {
    /** Little-endian element layouts, unaligned because file offsets guarantee no alignment. */
    public static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Java arrays stop a little short of Integer.MAX_VALUE elements on HotSpot. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final DType dtype;
    private final long[] shape;
    private final MemorySegment storage;
    private final long offset;
    private final long elementCount;
    private final long byteSize;

    private Tensor(DType dtype, long[] shape, MemorySegment storage, long offset) {
        if (dtype == null) throw new IllegalArgumentException("dtype must not be null");
        if (storage == null) throw new IllegalArgumentException("storage must not be null");
        this.dtype = dtype;
        this.shape = shape.clone();
        this.elementCount = elementCount(this.shape);
        this.byteSize = Math.multiplyExact(elementCount, (long) dtype.byteSize());
        if (offset < 0 || offset > storage.byteSize() || byteSize > storage.byteSize() - offset) {
            throw new IllegalArgumentException("tensor of " + byteSize + " bytes at offset " + offset
                    + " does not fit in storage of " + storage.byteSize() + " bytes");
        }
        this.storage = storage;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- construction

    /**
     * A view of {@code storage} starting at byte {@code offset}; the storage may be larger than the tensor.
     * No bytes are copied: a mapped segment stays mapped, and its lifetime (arena) governs the tensor's.
     */
    public static Tensor view(DType dtype, MemorySegment storage, long offset, long... shape) {
        return new Tensor(dtype, shape, storage, offset);
    }

    /** A view of exactly {@code data}: its size must equal shape product × dtype size, so mix-ups fail early. */
    public static Tensor of(DType dtype, MemorySegment data, long... shape) {
        Tensor t = new Tensor(dtype, shape, data, 0);
        if (t.byteSize != data.byteSize()) {
            throw new IllegalArgumentException(dtype + " " + Arrays.toString(shape) + " needs " + t.byteSize
                    + " bytes, the segment has " + data.byteSize());
        }
        return t;
    }

    /** A zero-filled heap tensor. */
    public static Tensor allocate(DType dtype, long... shape) {
        long bytes = Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
        return new Tensor(dtype, shape, allocateHeap(bytes), 0);
    }

    /**
     * An F32 tensor over {@code data}. On little-endian hardware (every platform the JDK's Vector API targets)
     * the array is wrapped, not copied, so later writes to either are visible through both; elsewhere it is
     * copied into little-endian storage.
     */
    public static Tensor ofFloats(float[] data, long... shape) {
        checkLength(data.length, shape);
        if (NATIVE_LE) return new Tensor(DType.F32, shape, MemorySegment.ofArray(data), 0);
        Tensor t = allocate(DType.F32, shape);
        MemorySegment.copy(data, 0, t.storage, LE_FLOAT, 0, data.length);
        return t;
    }

    /** {@link #ofFloats(float[], long...)} with an int shape, as Java array code usually has. */
    public static Tensor ofFloats(float[] data, int[] shape) {
        return ofFloats(data, toLongs(shape));
    }

    /** An I64 tensor over {@code data}; wrapped like {@link #ofFloats(float[], long...)}. */
    public static Tensor ofLongs(long[] data, long... shape) {
        checkLength(data.length, shape);
        if (NATIVE_LE) return new Tensor(DType.I64, shape, MemorySegment.ofArray(data), 0);
        Tensor t = allocate(DType.I64, shape);
        MemorySegment.copy(data, 0, t.storage, LE_LONG, 0, data.length);
        return t;
    }

    /** {@link #ofLongs(long[], long...)} with an int shape. */
    public static Tensor ofLongs(long[] data, int[] shape) {
        return ofLongs(data, toLongs(shape));
    }

    /** An I32 tensor over {@code data}; wrapped like {@link #ofFloats(float[], long...)}. */
    public static Tensor ofInts(int[] data, long... shape) {
        checkLength(data.length, shape);
        if (NATIVE_LE) return new Tensor(DType.I32, shape, MemorySegment.ofArray(data), 0);
        Tensor t = allocate(DType.I32, shape);
        MemorySegment.copy(data, 0, t.storage, LE_INT, 0, data.length);
        return t;
    }

    /**
     * A new heap tensor of floating-point type {@code target} holding {@code data} converted (BF16 and F16 with
     * round to nearest even, F64 exactly). Integer targets are refused: float-to-int has no single right rounding.
     */
    public static Tensor fromFloats(float[] data, DType target, long... shape) {
        checkLength(data.length, shape);
        if (!isFloating(target)) {
            throw new IllegalArgumentException("fromFloats converts to F32/F16/BF16/F64, not " + target);
        }
        Tensor t = allocate(target, shape);
        encodeFloats(data, 0, data.length, target, t.storage, 0);
        return t;
    }

    // ---------------------------------------------------------------- shape

    public DType dtype() { return dtype; }

    /** The shape (a copy). A 0-d scalar has an empty shape and one element. */
    public long[] shape() { return shape.clone(); }

    /** The shape as ints; fails if a dimension does not fit (use {@link #shape()} for huge tensors). */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
        return s;
    }

    public int rank() { return shape.length; }

    /** Size of dimension {@code i}; negative {@code i} counts from the end, as in NumPy. */
    public long dim(int i) {
        int k = i < 0 ? shape.length + i : i;
        if (k < 0 || k >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " of a rank-" + shape.length + " tensor");
        }
        return shape[k];
    }

    public long elementCount() { return elementCount; }

    public long byteSize() { return byteSize; }

    /** The whole backing segment (may extend beyond this tensor's bytes). */
    public MemorySegment storage() { return storage; }

    /** Byte offset of element 0 in {@link #storage()}. */
    public long offset() { return offset; }

    /** Exactly this tensor's bytes, little-endian, row-major. */
    public MemorySegment segment() { return storage.asSlice(offset, byteSize); }

    public boolean isReadOnly() { return storage.isReadOnly(); }

    /**
     * The same data seen with another shape of equal element count. One dimension may be -1, meaning
     * "whatever makes the count match", as in NumPy's reshape.
     */
    public Tensor reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(newShape));
            } else {
                known = Math.multiplyExact(known, s[i]);
            }
        }
        if (infer >= 0) {
            if (known == 0 || elementCount % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(newShape)
                        + " for " + elementCount + " elements");
            }
            s[infer] = elementCount / known;
        } else if (known != elementCount) {
            throw new IllegalArgumentException("reshape: " + Arrays.toString(shape) + " (" + elementCount
                    + " elements) cannot become " + Arrays.toString(newShape) + " (" + known + ")");
        }
        return new Tensor(dtype, s, storage, offset);
    }

    /** {@link #reshape(long...)} with an int shape. */
    public Tensor reshape(int[] newShape) {
        return reshape(toLongs(newShape));
    }

    /** Index {@code i} of the leading dimension: a view of rank - 1 (a 1-d tensor gives a 0-d scalar). */
    public Tensor row(long i) {
        requireRank1("row");
        if (i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("row " + i + " of leading dimension " + shape[0]);
        }
        long[] s = Arrays.copyOfRange(shape, 1, shape.length);
        long rowBytes = byteSize / shape[0];
        return new Tensor(dtype, s, storage, offset + i * rowBytes);
    }

    /** Rows {@code [start, end)} of the leading dimension: a view with the leading dimension end - start. */
    public Tensor rows(long start, long end) {
        requireRank1("rows");
        if (start < 0 || start > end || end > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + end + ") of leading dimension " + shape[0]);
        }
        long[] s = shape.clone();
        s[0] = end - start;
        // A leading dimension of 0 makes every row 0 bytes; only [0, 0) is valid then, at offset 0.
        long rowBytes = shape[0] == 0 ? 0 : byteSize / shape[0];
        return new Tensor(dtype, s, storage, offset + start * rowBytes);
    }

    private void requireRank1(String op) {
        if (shape.length == 0) throw new IllegalArgumentException(op + ": a 0-d tensor has no rows");
    }

    // ---------------------------------------------------------------- elements

    /** Element at flat (row-major) index {@code i}, converted to float. */
    public float getFloat(long i) {
        return decodeFloat(storage, offset + checkIndex(i) * dtype.byteSize(), dtype);
    }

    /** Stores {@code v} at flat index {@code i}, converted to this dtype (floats round to nearest even). */
    public void setFloat(long i, float v) {
        long at = offset + checkIndex(i) * dtype.byteSize();
        switch (dtype) {
            case F32 -> storage.set(LE_FLOAT, at, v);
            case F16 -> storage.set(LE_SHORT, at, Half.floatToF16(v));
            case BF16 -> storage.set(LE_SHORT, at, Half.floatToBf16(v));
            case F64 -> storage.set(LE_DOUBLE, at, v);
            default -> throw new UnsupportedOperationException("setFloat on a " + dtype + " tensor: use setLong");
        }
    }

    /** Element at flat index {@code i} of an integer or bool tensor. */
    public long getLong(long i) {
        return decodeLong(storage, offset + checkIndex(i) * dtype.byteSize(), dtype);
    }

    /** Stores {@code v} at flat index {@code i} of an integer or bool tensor; it must fit the dtype. */
    public void setLong(long i, long v) {
        long at = offset + checkIndex(i) * dtype.byteSize();
        switch (dtype) {
            case I64 -> storage.set(LE_LONG, at, v);
            case I32 -> storage.set(LE_INT, at, Math.toIntExact(v));
            case I16 -> {
                if (v != (short) v) throw new ArithmeticException(v + " does not fit in I16");
                storage.set(LE_SHORT, at, (short) v);
            }
            case I8 -> {
                if (v != (byte) v) throw new ArithmeticException(v + " does not fit in I8");
                storage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            }
            case U8 -> {
                if (v < 0 || v > 255) throw new ArithmeticException(v + " does not fit in U8");
                storage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            }
            case BOOL -> {
                if (v != 0 && v != 1) throw new ArithmeticException(v + " is not a bool (0 or 1)");
                storage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            }
            default -> throw new UnsupportedOperationException("setLong on a " + dtype + " tensor: use setFloat");
        }
    }

    private long checkIndex(long i) {
        if (i < 0 || i >= elementCount) {
            throw new IndexOutOfBoundsException("flat index " + i + " of " + elementCount + " elements");
        }
        return i;
    }

    /**
     * All elements as floats, in row-major order. BF16/F16 widen exactly; F64 and integers above 2^24
     * round to the nearest float; BOOL gives 0 or 1.
     */
    public float[] toFloatArray() {
        float[] out = new float[arrayLength("toFloatArray")];
        decodeFloats(storage, offset, dtype, out, 0, out.length);
        return out;
    }

    /** All elements of an integer or bool tensor as longs. Floating tensors are refused (no silent truncation). */
    public long[] toLongArray() {
        if (isFloating(dtype)) {
            throw new UnsupportedOperationException("toLongArray on a " + dtype + " tensor: use toFloatArray");
        }
        long[] out = new long[arrayLength("toLongArray")];
        int size = dtype.byteSize();
        if (dtype == DType.I64) {
            MemorySegment.copy(storage, LE_LONG, offset, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = decodeLong(storage, offset + (long) i * size, dtype);
        }
        return out;
    }

    private int arrayLength(String op) {
        if (elementCount > MAX_ARRAY) {
            throw new UnsupportedOperationException(op + ": " + elementCount + " elements do not fit in a Java array");
        }
        return (int) elementCount;
    }

    /** An owned heap copy with the same dtype and shape (detached from a mapped file's lifetime). */
    public Tensor copy() {
        Tensor t = allocate(dtype, shape);
        MemorySegment.copy(storage, offset, t.storage, 0, byteSize);
        return t;
    }

    /** True when the other tensor has the same dtype, the same shape and the same bytes. */
    public boolean contentEquals(Tensor other) {
        return dtype == other.dtype && Arrays.equals(shape, other.shape)
                && MemorySegment.mismatch(storage, offset, offset + byteSize,
                        other.storage, other.offset, other.offset + other.byteSize) == -1;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + (storage.isNative() ? ", off-heap" : ", heap") + "]";
    }

    // ---------------------------------------------------------------- shared helpers (also used by the I/O code)

    /** Product of the dimensions; rejects negative dimensions and overflow of a long. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static boolean isFloating(DType t) {
        return switch (t) {
            case F32, F16, BF16, F64 -> true;
            case I64, I32, I16, I8, U8, BOOL -> false;
        };
    }

    /** Decodes {@code count} elements of {@code type} starting at byte {@code at} of {@code src} into floats. */
    public static void decodeFloats(MemorySegment src, long at, DType type, float[] dst, int dstPos, int count) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, LE_FLOAT, at, dst, dstPos, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) dst[dstPos + i] = Half.bf16ToFloat(src.get(LE_SHORT, at + 2L * i));
            }
            case F16 -> {
                for (int i = 0; i < count; i++) dst[dstPos + i] = Half.f16ToFloat(src.get(LE_SHORT, at + 2L * i));
            }
            default -> {
                int size = type.byteSize();
                for (int i = 0; i < count; i++) dst[dstPos + i] = decodeFloat(src, at + (long) i * size, type);
            }
        }
    }

    /** Encodes floats {@code src[srcPos, srcPos + count)} as {@code type} (floating types) at byte {@code at} of {@code dst}. */
    public static void encodeFloats(float[] src, int srcPos, int count, DType type, MemorySegment dst, long at) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcPos, dst, LE_FLOAT, at, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) dst.set(LE_SHORT, at + 2L * i, Half.floatToBf16(src[srcPos + i]));
            }
            case F16 -> {
                for (int i = 0; i < count; i++) dst.set(LE_SHORT, at + 2L * i, Half.floatToF16(src[srcPos + i]));
            }
            case F64 -> {
                for (int i = 0; i < count; i++) dst.set(LE_DOUBLE, at + 8L * i, src[srcPos + i]);
            }
            default -> throw new IllegalArgumentException("cannot encode floats as " + type);
        }
    }

    private static float decodeFloat(MemorySegment s, long at, DType type) {
        return switch (type) {
            case F32 -> s.get(LE_FLOAT, at);
            case F16 -> Half.f16ToFloat(s.get(LE_SHORT, at));
            case BF16 -> Half.bf16ToFloat(s.get(LE_SHORT, at));
            case F64 -> (float) s.get(LE_DOUBLE, at);
            case I64 -> (float) s.get(LE_LONG, at);
            case I32 -> (float) s.get(LE_INT, at);
            case I16 -> s.get(LE_SHORT, at);
            case I8 -> s.get(ValueLayout.JAVA_BYTE, at);
            case U8 -> s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            // Any non-zero byte is true, as in NumPy's and PyTorch's reading of bool memory.
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1f : 0f;
        };
    }

    private static long decodeLong(MemorySegment s, long at, DType type) {
        return switch (type) {
            case I64 -> s.get(LE_LONG, at);
            case I32 -> s.get(LE_INT, at);
            case I16 -> s.get(LE_SHORT, at);
            case I8 -> s.get(ValueLayout.JAVA_BYTE, at);
            case U8 -> s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1 : 0;
            case F32, F16, BF16, F64 -> throw new UnsupportedOperationException("getLong on a " + type + " tensor: use getFloat");
        };
    }

    /**
     * A zeroed heap segment of {@code bytes} bytes, backed by a long[] so it is 8-byte aligned like the data
     * of a safetensors file (lets a kernel use aligned access on heap and mapped tensors alike).
     */
    static MemorySegment allocateHeap(long bytes) {
        long words = (bytes + 7) / 8;
        if (words > MAX_ARRAY) {
            throw new UnsupportedOperationException(bytes + " bytes exceed the largest heap array; use a mapped file");
        }
        return MemorySegment.ofArray(new long[(int) words]).asSlice(0, bytes);
    }

    private static void checkLength(int length, long[] shape) {
        long n = elementCount(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements, the array has " + length);
        }
    }

    private static long[] toLongs(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }
}
