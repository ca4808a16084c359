package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.core.io.TestFiles.resource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.DType;
import org.tessera.core.tensor.Half;
import org.tessera.core.tensor.Tensor;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    static Tensor randomTensor(DType dt, Random rnd, long... shape) {
        Tensor t = Tensor.allocate(dt, shape);
        byte[] bytes = new byte[(int) t.byteSize()];
        rnd.nextBytes(bytes);
        if (dt == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, t.segment(), 0, bytes.length);
        return t;
    }

    /** Generated values, chunk by chunk, give the same file as the whole array: across chunk boundaries, every float dtype. */
    @Test
    void generatedFloatsEqualTheWholeArray() {
        int n = 7 * 100_003; // several 1 MiB chunks for every dtype, and a partial last one
        float[] values = new float[n];
        Random rnd = new Random(9);
        for (int i = 0; i < n; i++) values[i] = (float) rnd.nextGaussian();
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            Path a = dir.resolve("a" + dt + ".safetensors"), b = dir.resolve("b" + dt + ".safetensors");
            try (SafetensorsWriter w = SafetensorsWriter.builder(a).add("x", dt, 7, n / 7).add("y", dt, 3).open()) {
                w.writeFloats("x", values);
                w.writeFloats("y", new float[] {1, 2, 3});
            }
            long[] calls = {0};
            try (SafetensorsWriter w = SafetensorsWriter.builder(b).add("x", dt, 7, n / 7).add("y", dt, 3).open()) {
                w.writeFloats("x", (start, buf, len) -> {
                    assertEquals(calls[0], start, "ranges arrive in order and contiguous");
                    System.arraycopy(values, (int) start, buf, 0, len);
                    calls[0] += len;
                });
                w.writeFloats("y", (start, buf, len) -> {
                    for (int i = 0; i < len; i++) buf[i] = start + i + 1;
                });
            }
            assertEquals(n, calls[0]);
            try {
                assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), dt.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void everyDtypeAndShapeRoundTrips() {
        Random rnd = new Random(1);
        long[][] shapes = {{}, {0}, {1}, {3}, {2, 0, 3}, {2, 3, 4}, {257, 129}, {1, 1, 1, 1, 5}};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType dt : DType.values()) {
            for (long[] s : shapes) tensors.put(dt + Arrays.toString(s), randomTensor(dt, rnd, s));
        }
        Path p = dir.resolve("all.safetensors");
        SafetensorsWriter.writeAll(p, tensors, Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(tensors.keySet(), new java.util.HashSet<>(f.names()));
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(0, f.headerSize() % 8, "header padded to 8 bytes");
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor back = f.tensor(e.getKey());
                assertTrue(back.contentEquals(e.getValue()), e.getKey());
                // Decreasing element size keeps every tensor aligned to its element size in the file.
                assertEquals(0, back.offset() % back.dtype().byteSize(), e.getKey() + " misaligned");
            }
        }
    }

    @Test
    void byteIdenticalToTheFileWrittenFromTheSpecInPython() throws IOException {
        Path py = resource("formats/py_reference.safetensors");
        Path out = dir.resolve("java.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(py)) {
            // Declared in the Python file's data order (which is the reference writer's dtype order).
            SafetensorsWriter.Builder b = SafetensorsWriter.builder(out).metadata(f.metadata());
            for (String n : f.names()) b.add(n, f.tensor(n));
            try (SafetensorsWriter w = b.open()) {
                // Written in reverse: positional writes make the order irrelevant.
                List<String> names = new java.util.ArrayList<>(f.names());
                java.util.Collections.reverse(names);
                for (String n : names) w.write(n, f.tensor(n));
            }
        }
        assertArrayEquals(Files.readAllBytes(py), Files.readAllBytes(out));
    }

    @Test
    void headerBytesFollowTheReferenceSerialization() throws IOException {
        // Reference format: compact JSON, no metadata key when there is none, space padding to a multiple of 8.
        Path p = dir.resolve("one.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.builder(p).add("attn.0", DType.F32, 1, 2, 3).open()) {
            w.writeFloats("attn.0", new float[] {0, 1, 2, 3, 4, 5});
        }
        byte[] bytes = Files.readAllBytes(p);
        String json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(64, json.length(), "already a multiple of 8: no padding");
        assertEquals(64, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        assertEquals(json, new String(bytes, 8, 64, StandardCharsets.UTF_8));
        assertEquals(8 + 64 + 24, bytes.length);
        assertEquals(1f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(72 + 4));

        Path p2 = dir.resolve("two.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.builder(p2).add("attn0", DType.F32, 1, 1, 2, 3).open()) {
            w.writeFloats("attn0", new float[] {0, 1, 2, 3, 4, 5});
        }
        bytes = Files.readAllBytes(p2);
        json = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(65, json.length());
        assertEquals(72, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        assertEquals(json + "       ", new String(bytes, 8, 72, StandardCharsets.UTF_8), "7 spaces pad to 72");

        Path empty = dir.resolve("empty.safetensors");
        SafetensorsWriter.builder(empty).open().close();
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Files.readAllBytes(empty));

        Path meta = dir.resolve("meta.safetensors");
        SafetensorsWriter.builder(meta).metadata("framework", "pt").open().close();
        assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ",
                new String(Files.readAllBytes(meta), 8, 40, StandardCharsets.UTF_8));
    }

    @Test
    void convertsFloatsWithRoundToNearestEven() {
        Random rnd = new Random(7);
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian() * 100;
        values[0] = 1f + 0x1p-8f;        // a bf16 tie: rounds to 1.0
        values[1] = 1f + 3 * 0x1p-8f;    // a bf16 tie: rounds up to the even neighbour
        Tensor f32 = Tensor.ofFloats(values.clone(), 10, 100);
        Path p = dir.resolve("conv.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.builder(p)
                .add("bf", DType.BF16, 10, 100).add("h", DType.F16, 10, 100)
                .add("d", DType.F64, 1000).add("fromTensor", DType.BF16, 10, 100).open()) {
            w.writeFloats("bf", values);
            w.writeFloats("h", values);
            w.writeFloats("d", values);
            w.write("fromTensor", f32);
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            float[] bf = f.tensor("bf").toFloatArray();
            float[] h = f.tensor("h").toFloatArray();
            float[] d = f.tensor("d").toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Half.roundToBf16(values[i]), bf[i]);
                assertEquals(Half.roundToF16(values[i]), h[i]);
                assertEquals(values[i], d[i]);
            }
            assertEquals(1f, bf[0]);
            assertEquals(1f + 0x1p-6f, bf[1]);
            assertTrue(f.tensor("fromTensor").contentEquals(f.tensor("bf")));
        }
    }

    @Test
    void streamsTensorsLargerThanItsBuffer() {
        // 3 MiB + a bit: crosses the 1 MiB staging buffer's boundaries for copies and conversions.
        int n = 3 * 262144 + 3;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i * 0.25f - 1000f;
        Tensor f32 = Tensor.ofFloats(values, n);
        Path p = dir.resolve("big.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.builder(p).add("copy", f32).add("conv", DType.BF16, n)
                .add("raw", DType.U8, 4L * n).open()) {
            w.write("copy", f32);
            w.write("conv", f32);
            w.write("raw", f32.segment());
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertTrue(f.tensor("copy").contentEquals(f32));
            float[] conv = f.tensor("conv").toFloatArray();
            for (int i = 0; i < n; i += 9973) assertEquals(Half.roundToBf16(values[i]), conv[i]);
            assertEquals(Half.roundToBf16(values[n - 1]), conv[n - 1]);
            assertEquals(-1, f.tensor("raw").segment().mismatch(f32.segment()));
        }
    }

    @Test
    void incompleteOrFailedWritesLeaveTheTargetUntouched() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.writeString(p, "previous content");

        SafetensorsWriter w = SafetensorsWriter.builder(p).add("a", DType.F32, 2).add("b", DType.F32, 2).open();
        w.writeFloats("a", new float[] {1, 2});
        assertFalse(w.isComplete());
        SafetensorsException e = assertThrows(SafetensorsException.class, w::close);
        assertTrue(e.getMessage().contains("1 of 2 declared tensors were never written (first 'b')"), e.getMessage());
        assertEquals("previous content", Files.readString(p));
        assertOnlyTarget(p);

        // An exception inside try-with-resources: close() cleans up, the failure's cause stays primary.
        RuntimeException boom = assertThrows(RuntimeException.class, () -> {
            try (SafetensorsWriter w2 = SafetensorsWriter.builder(p).add("a", DType.F32, 2).add("b", DType.F32, 1).open()) {
                w2.writeFloats("a", new float[] {1, 2});
                throw new RuntimeException("interrupted");
            }
        });
        assertEquals("interrupted", boom.getMessage());
        assertEquals(1, boom.getSuppressed().length);
        assertEquals("previous content", Files.readString(p));
        assertOnlyTarget(p);

        SafetensorsWriter aborted = SafetensorsWriter.builder(p).add("a", DType.F32, 1).open();
        aborted.writeFloats("a", new float[] {1});
        aborted.abort();
        aborted.close();
        assertEquals("previous content", Files.readString(p));
        assertOnlyTarget(p);

        // A complete write replaces the target.
        try (SafetensorsWriter ok = SafetensorsWriter.builder(p).add("a", DType.F32, 1).open()) {
            ok.writeFloats("a", new float[] {3});
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(3f, f.tensor("a").getFloat(0));
        }
        assertOnlyTarget(p);
    }

    private void assertOnlyTarget(Path p) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p.getFileName().toString()), s.map(x -> x.getFileName().toString()).toList(),
                    "no temporary file may be left behind");
        }
    }

    @Test
    void misuseIsReported() {
        Path p = dir.resolve("x.safetensors");
        SafetensorsWriter.Builder b = SafetensorsWriter.builder(p).add("a", DType.F32, 2, 2).add("i", DType.I32, 2);
        assertThrows(IllegalArgumentException.class, () -> b.add("a", DType.F32, 1), "declared twice");
        assertThrows(IllegalArgumentException.class, () -> b.add("__metadata__", DType.F32, 1));
        assertThrows(IllegalArgumentException.class, () -> b.add("neg", DType.F32, -1));
        assertThrows(IllegalArgumentException.class, () -> b.add("bad\uD800name", DType.F32, 1), "unpaired surrogate");
        assertThrows(IllegalArgumentException.class, () -> b.metadata("k", "\uDC00"));
        try (SafetensorsWriter w = b.open()) {
            assertEquals("nope", assertThrows(SafetensorsException.class, () -> w.writeFloats("nope", new float[1])).tensor());
            assertThrows(SafetensorsException.class, () -> w.writeFloats("a", new float[3]), "wrong length");
            assertThrows(SafetensorsException.class, () -> w.write("a", Tensor.ofFloats(new float[4], 4)), "wrong shape");
            assertThrows(SafetensorsException.class, () -> w.write("a", MemorySegment.ofArray(new byte[15])), "wrong size");
            assertThrows(SafetensorsException.class, () -> w.write("i", Tensor.ofFloats(new float[2], 2)), "float -> int");
            assertThrows(SafetensorsException.class, () -> w.writeFloats("i", new float[2]));
            w.write("a", Tensor.ofFloats(new float[4], 2, 2));
            assertTrue(assertThrows(SafetensorsException.class, () -> w.writeFloats("a", new float[4]))
                    .getMessage().contains("written twice"));
            w.write("i", Tensor.ofInts(new int[] {5, 6}, 2));
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new long[] {5, 6}, f.tensor("i").toLongArray());
        }
        // The same builder opens an independent second writer (its progress is not shared with the first).
        try (SafetensorsWriter w = b.open()) {
            w.writeFloats("a", new float[] {1, 2, 3, 4});
            w.write("i", Tensor.ofInts(new int[] {8, 9}, 2));
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new long[] {8, 9}, f.tensor("i").toLongArray());
        }
    }

    @Test
    void copiesACheckpointTensorByTensor() {
        Path src = resource("formats/internvl-tiny-a.safetensors");
        Path dst = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(src)) {
            SafetensorsWriter.Builder b = SafetensorsWriter.builder(dst).metadata(f.metadata());
            for (String n : f.names()) b.add(n, f.tensor(n));
            try (SafetensorsWriter w = b.open()) {
                for (String n : f.names()) w.write(n, f.tensor(n));
            }
            try (SafetensorsFile g = SafetensorsFile.open(dst)) {
                assertEquals(f.names(), g.names());
                for (String n : f.names()) assertTrue(g.tensor(n).contentEquals(f.tensor(n)), n);
            }
        }
    }
}
