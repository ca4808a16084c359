package org.tessera.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.tessera.core.DType;

class TensorTest {

    @Test
    void shapeCountsAndViewsOfFloats() {
        float[] data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        Tensor t = Tensor.ofFloats(data, 3, 4);
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new long[] {3, 4}, t.shape());
        assertArrayEquals(new int[] {3, 4}, t.intShape());
        assertEquals(2, t.rank());
        assertEquals(4, t.dim(-1));
        assertEquals(12, t.elementCount());
        assertEquals(48, t.byteSize());

        Tensor row = t.row(2);
        assertArrayEquals(new long[] {4}, row.shape());
        assertArrayEquals(new float[] {8, 9, 10, 11}, row.toFloatArray());
        Tensor rows = t.rows(1, 3);
        assertArrayEquals(new long[] {2, 4}, rows.shape());
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, rows.toFloatArray());
        assertEquals(0, t.rows(3, 3).elementCount());

        Tensor r = t.reshape(2, -1, 2);
        assertArrayEquals(new long[] {2, 3, 2}, r.shape());
        assertArrayEquals(data, r.toFloatArray());
        assertEquals(7f, r.row(1).row(0).getFloat(1));

        // ofFloats wraps: writes through the tensor show in the array and vice versa.
        t.setFloat(0, 42f);
        assertEquals(42f, data[0]);
        data[1] = -1f;
        assertEquals(-1f, t.getFloat(1));
        assertTrue(t.segment().byteSize() == 48);
    }

    @Test
    void scalarsAndEmptyTensors() {
        Tensor s = Tensor.ofFloats(new float[] {2.5f});
        assertEquals(0, s.rank());
        assertEquals(1, s.elementCount());
        assertEquals(2.5f, s.getFloat(0));
        assertThrows(IllegalArgumentException.class, () -> s.row(0));
        assertArrayEquals(new long[] {1, 1}, s.reshape(1, 1).shape());
        assertEquals(0, s.reshape(new long[0]).rank());

        Tensor e = Tensor.allocate(DType.BF16, 0, 5);
        assertEquals(0, e.elementCount());
        assertEquals(0, e.byteSize());
        assertEquals(0, e.toFloatArray().length);
        assertThrows(IndexOutOfBoundsException.class, () -> e.row(0));
        assertArrayEquals(new long[] {0, 5}, e.rows(0, 0).shape());
        assertArrayEquals(new long[] {5, 0}, e.reshape(5, 0).shape());
        assertThrows(IllegalArgumentException.class, () -> e.reshape(-1, 0), "-1 with a zero dimension is ambiguous");
    }

    @Test
    void rejectsBadShapesAndIndices() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.F32, 2, -1));
        assertThrows(ArithmeticException.class, () -> Tensor.allocate(DType.F32, 1L << 40, 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new float[5], 2, 3));
        Tensor t = Tensor.allocate(DType.F32, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.row(2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(6));
        assertThrows(IndexOutOfBoundsException.class, () -> t.dim(2));
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.view(DType.F32, MemorySegment.ofArray(new byte[20]), 0, 2, 3), "storage too small");
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, MemorySegment.ofArray(new byte[28]), 2, 3),
                "of() wants the exact size");
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromFloats(new float[1], DType.I32, 1));
        assertThrows(UnsupportedOperationException.class, () -> t.toLongArray());
    }

    @Test
    void convertsEveryDtypeToFloat() {
        float[] values = {0f, 1f, -2.5f, 3.140625f, 1e-3f, -65504f};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16, DType.F64}) {
            Tensor t = Tensor.fromFloats(values, dt, 2, 3);
            assertEquals(dt, t.dtype());
            float[] back = t.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                float expect = switch (dt) {
                    case F16 -> Half.roundToF16(values[i]);
                    case BF16 -> Half.roundToBf16(values[i]);
                    default -> values[i];
                };
                assertEquals(expect, back[i], dt + " element " + i);
                assertEquals(expect, t.getFloat(i));
            }
        }
        // Integers: through setLong, read back as floats and longs.
        long[] ints = {0, -1, 100, -128, 127};
        for (DType dt : new DType[] {DType.I64, DType.I32, DType.I16, DType.I8}) {
            Tensor t = Tensor.allocate(dt, 5);
            for (int i = 0; i < 5; i++) t.setLong(i, ints[i]);
            assertArrayEquals(ints, t.toLongArray(), dt.toString());
            assertArrayEquals(new float[] {0, -1, 100, -128, 127}, t.toFloatArray(), dt.toString());
        }
        Tensor u8 = Tensor.of(DType.U8, MemorySegment.ofArray(new byte[] {0, 1, (byte) 200, (byte) 255}), 4);
        assertArrayEquals(new float[] {0, 1, 200, 255}, u8.toFloatArray());
        assertArrayEquals(new long[] {0, 1, 200, 255}, u8.toLongArray());
        Tensor b = Tensor.of(DType.BOOL, MemorySegment.ofArray(new byte[] {0, 1, 2}), 3);
        assertArrayEquals(new float[] {0, 1, 1}, b.toFloatArray(), "any non-zero byte is true");
        assertThrows(ArithmeticException.class, () -> Tensor.allocate(DType.I8, 1).setLong(0, 128));
        assertThrows(ArithmeticException.class, () -> Tensor.allocate(DType.U8, 1).setLong(0, -1));
        assertThrows(ArithmeticException.class, () -> Tensor.allocate(DType.I32, 1).setLong(0, 1L << 31));
        assertThrows(UnsupportedOperationException.class, () -> Tensor.allocate(DType.I32, 1).setFloat(0, 1f));
    }

    @Test
    void ofLongsAndInts() {
        Tensor l = Tensor.ofLongs(new long[] {1, Long.MIN_VALUE, 3, 4}, 2, 2);
        assertEquals(DType.I64, l.dtype());
        assertEquals(Long.MIN_VALUE, l.getLong(1));
        assertArrayEquals(new long[] {3, 4}, l.row(1).toLongArray());
        Tensor i = Tensor.ofInts(new int[] {7, -8}, 2);
        assertEquals(DType.I32, i.dtype());
        assertArrayEquals(new long[] {7, -8}, i.toLongArray());
    }

    @Test
    void viewsOffsetsAndByteOrderOfNativeStorage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            // Little-endian bf16 1.0 is 0x3F80 -> bytes 80 3F, placed at an odd offset on purpose (unaligned).
            seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0x80);
            seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4, (byte) 0x3F);
            Tensor t = Tensor.view(DType.BF16, seg, 3, 1);
            assertEquals(1f, t.getFloat(0));
            assertEquals(3, t.offset());
            assertEquals(64, t.storage().byteSize());

            Tensor copy = t.copy();
            assertFalse(copy.storage().isNative(), "copy() is an owned heap tensor");
            assertTrue(copy.contentEquals(t));
            copy.setFloat(0, 2f);
            assertFalse(copy.contentEquals(t));
            assertEquals(1f, t.getFloat(0), "the copy does not alias");
        }
    }

    @Test
    void contentEqualsComparesDtypeShapeAndBytes() {
        Tensor a = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
        assertTrue(a.contentEquals(Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)));
        assertFalse(a.contentEquals(Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4)));
        assertFalse(a.contentEquals(Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2)));
        assertFalse(a.contentEquals(Tensor.ofFloats(new float[] {1, 2, 3, 5}, 2, 2)));
    }
}
