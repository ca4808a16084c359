package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.core.io.TestFiles.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

class NpyTest {
    @TempDir
    Path dir;

    private static final Map<String, DType> DESCR = Map.of("<f4", DType.F32, "<f2", DType.F16, "<f8", DType.F64,
            "<i8", DType.I64, "<i4", DType.I32, "<i2", DType.I16, "|i1", DType.I8, "|u1", DType.U8, "|b1", DType.BOOL);

    private static Path npy(String name) {
        return resource("formats/npy/" + name + ".npy");
    }

    @Test
    void readsEveryFixtureNumpyWrote() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(resource("formats/npy/expected.json").toFile());
        int checked = 0;
        for (var it = expected.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            JsonNode ex = e.getValue();
            Tensor t = Npy.read(npy(e.getKey()));
            assertEquals(DESCR.get(ex.get("dtype").asText()), t.dtype(), e.getKey());
            long[] shape = new long[ex.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = ex.get("shape").get(i).asLong();
            assertArrayEquals(shape, t.shape(), e.getKey());
            JsonNode values = ex.get("values");
            assertEquals(values.size(), t.elementCount(), e.getKey());
            if (Tensor.isFloating(t.dtype())) {
                float[] f = Npy.readFloats(npy(e.getKey())).data();
                for (int i = 0; i < f.length; i++) {
                    JsonNode v = values.get(i);
                    float want = v.isNull() ? switch (ex.get("nonfinite").get(Integer.toString(i)).asText()) {
                        case "inf" -> Float.POSITIVE_INFINITY;
                        case "-inf" -> Float.NEGATIVE_INFINITY;
                        default -> Float.NaN;
                    } : (float) v.asDouble();
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(f[i]), e.getKey() + "[" + i + "]");
                }
            } else {
                long[] l = Npy.readLongs(npy(e.getKey())).data();
                for (int i = 0; i < l.length; i++) assertEquals(values.get(i).asLong(), l[i], e.getKey() + "[" + i + "]");
            }
            checked++;
        }
        assertEquals(15, checked);
    }

    @Test
    void writesFilesByteIdenticalToNumpy() throws IOException {
        for (String name : List.of("f32_2x3", "f16_special", "f64_4", "i64_5", "i32_2x2", "i16_3", "i8_4", "u8_4",
                "bool_3", "f32_scalar", "i64_scalar", "f32_0x3", "f32_2x0x4", "f32_large_axis", "f32_4d")) {
            Path out = dir.resolve(name + ".npy");
            Npy.write(out, Npy.read(npy(name)));
            assertArrayEquals(Files.readAllBytes(npy(name)), Files.readAllBytes(out), name);
        }
        // The convenience writers too.
        Path f = dir.resolve("f.npy");
        Npy.Floats f32 = Npy.readFloats(npy("f32_2x3"));
        Npy.writeFloats(f, f32.data(), f32.shape());
        assertArrayEquals(Files.readAllBytes(npy("f32_2x3")), Files.readAllBytes(f));
        Npy.Longs i64 = Npy.readLongs(npy("i64_5"));
        Npy.writeLongs(f, i64.data(), i64.shape());
        assertArrayEquals(Files.readAllBytes(npy("i64_5")), Files.readAllBytes(f));
        Npy.Longs i32 = Npy.readLongs(npy("i32_2x2"));
        Npy.writeInts(f, java.util.Arrays.stream(i32.data()).mapToInt(Math::toIntExact).toArray(), i32.shape());
        assertArrayEquals(Files.readAllBytes(npy("i32_2x2")), Files.readAllBytes(f));
        Npy.writeFloats(f, new float[] {7f});   // 0-d
        assertArrayEquals(new long[0], Npy.read(f).shape());
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(x -> x.getFileName().toString().endsWith(".partial")), "no temporary files left");
        }
    }

    @Test
    void headersMatchNumpyForManyShapes() throws IOException, NoSuchAlgorithmException {
        JsonNode h = new ObjectMapper().readTree(resource("formats/npy/headers.json").toFile());
        int n = 0;
        for (JsonNode c : h.get("cases")) {
            long[] shape = new long[c.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = c.get("shape").get(i).asLong();
            byte[] mine = Npy.header(DESCR.get(c.get("descr").asText()), shape);
            assertEquals(c.get("header_hex").asText(), HexFormat.of().formatHex(mine),
                    c.get("descr").asText() + " " + c.get("shape"));
            assertEquals(0, mine.length % 64, "data starts 64-byte aligned");
            n++;
        }
        assertEquals(9 * 13, n);

        // A header too long for version 1.0 switches to 2.0, as numpy does.
        JsonNode v2 = h.get("version2");
        long[] shape = new long[v2.get("rank").asInt()];
        java.util.Arrays.fill(shape, 1);
        byte[] mine = Npy.header(DType.F32, shape);
        assertEquals(v2.get("length").asInt(), mine.length);
        assertEquals(v2.get("prefix_hex").asText(), HexFormat.of().formatHex(mine, 0, 12));
        assertEquals(2, mine[6], "version 2.0");
        assertEquals(v2.get("sha256").asText(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(mine)));
    }

    @Test
    void readsVersionsAndBigEndianVariants() {
        Tensor v1 = Npy.read(npy("f32_2x3"));
        assertTrue(Npy.read(npy("f32_2x3_v2")).contentEquals(v1));
        assertTrue(Npy.read(npy("f32_2x3_v3")).contentEquals(v1));
        Tensor be = Npy.read(npy("f32_bigendian"));
        assertEquals(DType.F32, be.dtype());
        assertArrayEquals(new long[] {1, 3}, be.shape());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, be.toFloatArray());
        assertArrayEquals(new long[] {1, -2, 1L << 40}, Npy.readLongs(npy("i64_bigendian")).data());
    }

    @Test
    void refusesWhatItCannotRepresent() {
        assertProblem(npy("f32_fortran"), "fortran_order True is not supported");
        assertProblem(npy("c64_2"), "unsupported dtype descr '<c8'");
        assertProblem(npy("structured"), "structured dtype");
        NpyException e = assertThrows(NpyException.class, () -> Npy.readLongs(npy("f32_2x3")));
        assertTrue(e.getMessage().contains("not integers"), e.getMessage());
        // Integers read as floats convert.
        assertArrayEquals(new float[] {0, 1, 128, 255}, Npy.readFloats(npy("u8_4")).data());
        NpyException bf = assertThrows(NpyException.class, () -> Npy.write(dir.resolve("bf.npy"), Tensor.allocate(DType.BF16, 2)));
        assertTrue(bf.getMessage().contains("NumPy has no BF16"), bf.getMessage());
        assertTrue(!Files.exists(dir.resolve("bf.npy")));
    }

    // ---------------------------------------------------------------- corruption

    /** A .npy with the given header dict text (padded like numpy) and data bytes. */
    private static byte[] file(int major, String dict, int dataBytes) {
        byte[] d = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lenBytes = major == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + d.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) d.length); else b.putInt(d.length);
        b.put(d);
        return b.array();
    }

    private void assertProblem(Path p, String fragment) {
        NpyException e = assertThrows(NpyException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertEquals(p, e.file());
    }

    private void assertProblem(byte[] bytes, String fragment) {
        assertProblem(TestFiles.write(dir, "bad.npy", bytes), fragment);
    }

    @Test
    void corruptFiles() throws IOException {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // Sanity: the helper makes readable files.
        assertArrayEquals(new long[] {2, 3}, Npy.read(TestFiles.write(dir, "ok.npy", file(1, ok, 24))).shape());

        byte[] good = Files.readAllBytes(npy("f32_2x3"));
        assertProblem(new byte[0], "too short");
        assertProblem(new byte[] {(byte) 0x93, 'N', 'U'}, "too short");
        assertProblem("PK\3\4 this is a zip".getBytes(StandardCharsets.ISO_8859_1), "bad magic");
        assertProblem(java.util.Arrays.copyOf(good, 40), "header of 118 bytes runs past the end");
        assertProblem(java.util.Arrays.copyOf(good, good.length - 1), "needs 24 data bytes, the file has 23 (truncated)");
        assertProblem(java.util.Arrays.copyOf(good, good.length + 4), "needs 24 data bytes, the file has 28");
        byte[] v4 = good.clone();
        v4[6] = 4;
        assertProblem(v4, "unsupported .npy format version 4.0");
        byte[] minor = good.clone();
        minor[7] = 1;
        assertProblem(minor, "version 1.1");
        byte[] hugeLen = file(2, ok, 24);
        ByteBuffer.wrap(hugeLen).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertProblem(hugeLen, "implausibly large");

        assertProblem(file(1, "[1, 2]", 0), "not a dictionary");
        assertProblem(file(1, "{'descr': '<f4', 'shape': (2, 3), }", 24), "exactly descr, fortran_order and shape");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24), "exactly");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (2, 3)}", 24), "duplicate key");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24), "not a non-negative integer");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3), }", 24), "cannot parse header");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", 24), "shape is not a tuple");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", 24), "shape is not a tuple");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", 24), "fortran_order is not a bool");
        assertProblem(file(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2, 3), }", 24), "no byte order");
        assertProblem(file(1, "{'descr': '<U5', 'fortran_order': False, 'shape': (2, 3), }", 24), "unsupported dtype descr '<U5'");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", 24),
                "overflows");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 24),
                "out of range");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } junk", 24), "unexpected text");
        assertProblem(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", 24), "cannot parse header");
        byte[] badUtf8 = file(3, ok, 24);
        badUtf8[14] = (byte) 0xFF;
        assertProblem(badUtf8, "not valid UTF-8");
        assertProblem(dir.resolve("absent.npy"), "no such file");
    }

    @Test
    void acceptsHeaderSpellingsNumpyAccepts() {
        // Python 2 long suffixes, double quotes, keys in any order, no trailing comma, odd spacing.
        String dict = "{\"shape\": (2L, 3L), \"fortran_order\": False,'descr':'<i4'}";
        Tensor t = Npy.read(TestFiles.write(dir, "py2.npy", file(1, dict, 24)));
        assertEquals(DType.I32, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.shape());
        // Fortran order is harmless for 1-d data but the rule stays simple: refused, with a clear message.
        String fortran1d = "{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }";
        assertProblem(TestFiles.write(dir, "f1d.npy", file(1, fortran1d, 12)), "fortran_order True");
    }
}
