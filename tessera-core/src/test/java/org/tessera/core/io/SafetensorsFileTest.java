package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.core.io.TestFiles.raw;
import static org.tessera.core.io.TestFiles.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- real files

    @Test
    void goldenCheckpointMatchesItsHeaderAndNumpyDecoding() throws IOException {
        Path file = resource("formats/internvl-tiny-a.safetensors");
        JsonNode ref = new ObjectMapper().readTree(resource("formats/internvl-tiny-a.header.json").toFile());
        JsonNode header = ref.get("header");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(ref.get("header_length").asLong(), f.headerSize());
            assertEquals(8 + f.headerSize(), f.dataStart());
            assertEquals(Map.of("format", "pt"), f.metadata());

            Set<String> expectedNames = new HashSet<>();
            header.fieldNames().forEachRemaining(expectedNames::add);
            expectedNames.remove("__metadata__");
            assertEquals(expectedNames, new HashSet<>(f.names()));
            assertEquals(64, f.size());   // counted by Python from the same header

            long previousBegin = -1;
            for (String name : f.names()) {
                JsonNode e = header.get(name);
                SafetensorsFile.TensorInfo info = f.info(name);
                assertEquals(DType.fromSafetensorsName(e.get("dtype").asText()), info.dtype(), name);
                assertEquals(DType.BF16, info.dtype());
                long[] shape = new long[e.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
                assertArrayEquals(shape, info.shape(), name);
                assertEquals(e.get("data_offsets").get(0).asLong(), info.begin(), name);
                assertEquals(e.get("data_offsets").get(1).asLong(), info.end(), name);
                assertTrue(info.begin() > previousBegin, "names() is in data order");
                previousBegin = info.begin();
                Tensor t = f.tensor(name);
                assertArrayEquals(shape, t.shape());
            }

            for (String name : List.of("mlp1.1.weight", "vision_model.embeddings.position_embedding")) {
                Tensor t = f.tensor(name);
                // Zero copy: a read-only view into the mapping of the whole file.
                assertTrue(t.storage().isNative() && t.isReadOnly());
                assertEquals(Files.size(file), t.storage().byteSize());
                assertEquals(f.dataStart() + f.info(name).begin(), t.offset());

                Npy.Floats expected = Npy.readFloats(resource("formats/internvl-tiny-a." + name + ".npy"));
                assertArrayEquals(Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray(), expected.shape());
                float[] actual = t.toFloatArray();
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected.data()[i]), Float.floatToRawIntBits(actual[i]),
                            name + " element " + i);
                }
            }
            // Row slicing of a mapped tensor reads the right part of the file.
            Tensor w = f.tensor("mlp1.1.weight");
            float[] all = w.toFloatArray();
            assertArrayEquals(Arrays.copyOfRange(all, 5 * 128, 6 * 128), w.row(5).toFloatArray());
        }
    }

    @Test
    void readsFileWrittenByPythonFromTheSpec() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("formats/py_reference.json").toFile());
        try (SafetensorsFile f = SafetensorsFile.open(resource("formats/py_reference.safetensors"))) {
            List<String> order = new ArrayList<>();
            ref.get("order").forEach(n -> order.add(n.asText()));
            assertEquals(order, f.names());
            assertEquals(List.of("format", "source"), List.copyOf(f.metadata().keySet()));
            assertEquals("make_fixtures", f.metadata().get("source"));

            for (String name : order) {
                JsonNode values = ref.get("values").get(name);
                Tensor t = f.tensor(name);
                float[] actual = t.toFloatArray();
                assertEquals(values.size(), actual.length, name);
                for (int i = 0; i < actual.length; i++) {
                    assertEquals((float) values.get(i).asDouble(), actual[i], name + "[" + i + "]");
                }
            }
            assertEquals(0, f.tensor("scalar.i32").rank());
            assertEquals(-3, f.tensor("scalar.i32").getLong(0));
            assertArrayEquals(new long[] {5, -6, 1L << 40}, f.tensor("ids.i64").toLongArray());
            assertArrayEquals(new long[] {0, 4}, f.tensor("empty.f32").shape());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f.tensor("model.bf16").getFloat(5)));
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() {
        SafetensorsFile f = SafetensorsFile.open(resource("formats/py_reference.safetensors"));
        Tensor t = f.tensor("model.f32");
        assertEquals(1f, t.getFloat(0));
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> t.getFloat(0), "a view of a closed file must not read freed memory");
        assertThrows(IllegalStateException.class, () -> f.tensor("model.f32"));
    }

    // ---------------------------------------------------------------- accepted variations (as the reference accepts)

    @Test
    void acceptsWhatTheReferenceAccepts() {
        // JSON order differs from data order; zero-byte tensors at shared offsets; extra keys; null metadata;
        // whitespace padding; non-ASCII names.
        String h = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12],\"extra\":1},"
                + "\"__metadata__\":null,"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"z0\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                + "\"z1\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[12,12]},"
                + "\"\u00e9\u00e8\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[12,13]}}   \n ";
        try (SafetensorsFile f = SafetensorsFile.open(TestFiles.write(dir, "ok.safetensors", raw(h, 13)))) {
            assertEquals(List.of("a", "z0", "b", "z1", "\u00e9\u00e8"), f.names());
            assertEquals(Map.of(), f.metadata());
            assertArrayEquals(new long[] {0, 1, 2, 3}, f.tensor("a").toLongArray());
            assertEquals(0, f.tensor("z0").elementCount());
            assertEquals(1f, f.tensor("\u00e9\u00e8").getFloat(0));
        }
        // An empty file: no tensors, no data.
        try (SafetensorsFile f = SafetensorsFile.open(TestFiles.write(dir, "empty.safetensors", raw("{}      ", 0)))) {
            assertEquals(List.of(), f.names());
        }
    }

    // ---------------------------------------------------------------- corruption

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private static final String B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";

    /** Opens {@code bytes} as a file and returns the failure, checking it names the file. */
    private SafetensorsException failure(byte[] bytes) {
        Path p = TestFiles.write(dir, "bad.safetensors", bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertEquals(p, e.file());
        return e;
    }

    private void assertFails(String header, int dataLen, String tensor, String... fragments) {
        assertFailure(failure(raw(header, dataLen)), tensor, fragments);
    }

    private static void assertFailure(SafetensorsException e, String tensor, String... fragments) {
        assertEquals(tensor, e.tensor(), e.getMessage());
        if (tensor != null) assertTrue(e.getMessage().contains("tensor '" + tensor + "'"), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }

    @Test
    void tooShortAndTruncatedFiles() {
        assertFailure(failure(new byte[0]), null, "too short");
        assertFailure(failure(new byte[] {2, 0, 0, 0, 0}), null, "too short");

        byte[] valid = raw("{" + A + "," + B + "}", 12);
        int headerLen = valid.length - 8 - 12;
        // Cut inside the header: the declared length now runs past the end.
        assertFailure(failure(Arrays.copyOf(valid, 8 + headerLen / 2)), null, "runs past the end of the file");
        // Cut inside the data: the last tensor's offsets run past the data buffer.
        assertFailure(failure(Arrays.copyOf(valid, valid.length - 3)), "b", "past the end of the data buffer", "truncated");
        // Cut exactly between tensors: b is wholly missing.
        assertFailure(failure(Arrays.copyOf(valid, valid.length - 4)), "b", "past the end");
    }

    @Test
    void headerLengthOutOfRange() {
        byte[] valid = raw("{" + A + "}", 8);
        byte[] tooLong = valid.clone();
        java.nio.ByteBuffer.wrap(tooLong).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, valid.length);
        assertFailure(failure(tooLong), null, "runs past the end of the file");

        byte[] absurd = valid.clone();
        java.nio.ByteBuffer.wrap(absurd).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 60);
        assertFailure(failure(absurd), null, "header length 1152921504606846976 exceeds", "limit");

        byte[] unsigned = valid.clone();
        java.nio.ByteBuffer.wrap(unsigned).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertFailure(failure(unsigned), null, "18446744073709551615 exceeds");

        byte[] justOver = valid.clone();
        java.nio.ByteBuffer.wrap(justOver).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        assertFailure(failure(justOver), null, "exceeds the 100000000-byte limit");
    }

    @Test
    void headerNotAJsonObject() {
        assertFails("{\"a\":", 0, null, "not valid JSON");
        assertFails("[1,2,3]", 0, null, "must be a JSON object", "array");
        assertFails("\"text\"", 0, null, "must be a JSON object");
        assertFails("null    ", 0, null, "must be a JSON object");
        assertFails("", 0, null, "must be a JSON object", "nothing");
        assertFails("        ", 0, null, "must be a JSON object");
        assertFails("{} {}", 0, null, "more after its JSON object");
        assertFails("{}\0\0\0", 0, null, "not valid JSON");
        assertFails("{'a':1}", 0, null, "not valid JSON");
        byte[] badUtf8 = "{\"\u00ff\":1}".getBytes(StandardCharsets.ISO_8859_1);
        assertFailure(failure(raw(badUtf8, 0)), null, "not valid UTF-8");
    }

    @Test
    void badEntries() {
        assertFails("{\"a\":[1]}", 0, "a", "must be an object");
        assertFails("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "dtype");
        assertFails("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "dtype");
        assertFails("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "unknown dtype 'F33'");
        assertFails("{\"a\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "a", "'U16' is not supported");
        assertFails("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "unknown dtype 'f32'");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "a", "shape");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}", 4, "a", "shape");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "a", "shape[0] = -1 is out of range");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4, "a", "shape[0] must be a non-negative integer");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4, "a", "shape[0]");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,4]}}", 4, "a", "out of range");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "a", "data_offsets");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "a", "data_offsets");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, "a", "data_offsets[0] = -4");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "a", "begin after end");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,100]}}", 100, "a", "hold 100 bytes but F32 [1] needs 4");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "a", "past the end of the data buffer");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,9223372036854775807]}}",
                4, "a", "past the end");
    }

    @Test
    void overflowingShapes() {
        // Element count overflows a long.
        assertFails("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0, "a", "overflows");
        // Element count fits, byte size does not.
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0, "a", "overflows");
        // A zero dimension makes the product 0 even with huge others: valid, as in the reference.
        try (SafetensorsFile f = SafetensorsFile.open(TestFiles.write(dir, "zero.safetensors",
                raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,0]}}", 0)))) {
            assertEquals(0, f.tensor("a").elementCount());
        }
    }

    @Test
    void layoutRules() {
        // Overlap.
        assertFails("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "b", "overlap tensor 'a'");
        // Same range twice under two names.
        assertFails("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "b", "overlap");
        // Hole between tensors.
        assertFails("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "b", "[8, 12)", "no tensor");
        // Hole at the start.
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "a", "[0, 4)");
        // Trailing bytes after the last tensor.
        assertFails("{" + A + "}", 9, null, "1 byte(s) after the last tensor");
        // Data without any tensor.
        assertFails("{}", 1, null, "after the last tensor");
        // Duplicate names (the reference's map would silently keep one).
        assertFails("{" + A + "," + A + "}", 8, "a", "named twice in the header");
        assertFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a",
                "key 'shape' appears twice");
    }

    @Test
    void badMetadata() {
        assertFails("{\"__metadata__\":{\"k\":1}," + A + "}", 8, null, "value for key 'k' must be a string");
        assertFails("{\"__metadata__\":[\"k\"]," + A + "}", 8, null, "__metadata__ must be an object");
        assertFails("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}," + A + "}", 8, null, "must be a string");
        assertFails("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + A + "}", 8, null, "__metadata__ has key 'k' twice");
        assertFails("{\"__metadata__\":{},\"__metadata__\":{}," + A + "}", 8, "__metadata__", "named twice");
    }

    @Test
    void missingFileAndMissingTensor() {
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> SafetensorsFile.open(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("absent.safetensors: no such file"), e.getMessage());
        try (SafetensorsFile f = SafetensorsFile.open(resource("formats/py_reference.safetensors"))) {
            SafetensorsException m = assertThrows(SafetensorsException.class, () -> f.tensor("nope"));
            assertEquals("nope", m.tensor());
            assertTrue(m.getMessage().contains("no such tensor"));
        }
    }

    @Test
    void absurdNamesAreShortenedInMessages() {
        String longName = "n".repeat(100_000);
        SafetensorsException e = failure(raw("{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,5]}}", 5));
        assertTrue(e.getMessage().length() < 1000, "message length " + e.getMessage().length());
        assertEquals(longName, e.tensor(), "the exception still carries the full name");
    }
}
