package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

/**
 * Files over 2 GiB: offsets past 2^31 must work end to end (no int offsets, no ByteBuffer-limited mapping). The
 * file is sparse: a 2 GiB hole of zeros costs no disk space, only the header and the last tensor are written.
 */
class LargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorBeyondTwoGigabytes() throws IOException {
        long padBytes = (1L << 31) + 8;                    // pushes the next tensor past 2^31
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padBytes + "],\"data_offsets\":[0," + padBytes + "]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + padBytes + "," + (padBytes + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + h.length;
        long total = dataStart + padBytes + 16;

        Path p = dir.resolve("large.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            try {
                f.setLength(total);
            } catch (IOException e) {
                Assumptions.abort("the filesystem of " + dir + " refused a sparse " + total + "-byte file: " + e);
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
            f.write(prefix.array());
            f.write(h);
            ByteBuffer w = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            w.putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(1e30f);
            f.seek(dataStart + padBytes);
            f.write(w.array());
        }

        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            Tensor w = f.tensor("w");
            assertTrue(w.offset() > Integer.MAX_VALUE, "the tensor really lies beyond 2^31");
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e30f}, w.toFloatArray());
            assertArrayEquals(new float[] {3.25f, 1e30f}, w.row(1).toFloatArray());

            Tensor pad = f.tensor("pad");
            assertEquals(DType.U8, pad.dtype());
            assertEquals(padBytes, pad.elementCount());
            assertEquals(0, pad.getLong(padBytes - 1));
            assertArrayEquals(new long[8], pad.reshape(-1, 8).rows((padBytes / 8) - 1, padBytes / 8).toLongArray());
            // Too many elements for a Java array: a clear refusal, not a negative-size array or a wrong copy.
            assertThrows(UnsupportedOperationException.class, pad::toFloatArray);
        }

        // Truncating the big file by one byte is caught by the header checks, before any mapping.
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(total - 1);
        }
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p));
        assertEquals("w", e.tensor());
    }
}
