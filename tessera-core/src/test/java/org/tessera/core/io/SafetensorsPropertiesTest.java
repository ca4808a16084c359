package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

/**
 * Properties over many generated files: a damaged file is refused with {@link SafetensorsException} and nothing
 * else (no other exception, no crash, no read outside the mapping), and any valid file round-trips.
 */
class SafetensorsPropertiesTest {
    private static Path dir;
    private static byte[] valid;
    private static int headerEnd;
    /** Outcomes of the damage property, so the run can show it exercised both paths. */
    private static final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.Set<String> problems = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("tessera-st-props");
        Path p = dir.resolve("valid.safetensors");
        Random rnd = new Random(3);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("embed.weight", SafetensorsWriterTest.randomTensor(DType.BF16, rnd, 5, 4));
        t.put("norm.bias", SafetensorsWriterTest.randomTensor(DType.F32, rnd, 4));
        t.put("ids", SafetensorsWriterTest.randomTensor(DType.I64, rnd, 3));
        t.put("scale", SafetensorsWriterTest.randomTensor(DType.F16, rnd));
        t.put("empty", SafetensorsWriterTest.randomTensor(DType.F32, rnd, 0, 2));
        t.put("mask", SafetensorsWriterTest.randomTensor(DType.BOOL, rnd, 2, 3));
        SafetensorsWriter.writeAll(p, t, Map.of("format", "pt"));
        valid = Files.readAllBytes(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            headerEnd = (int) f.dataStart();
        }
    }

    @AfterContainer
    static void tearDown() throws IOException {
        if (System.getenv("TESSERA_FUZZ_REPORT") != null) {
            System.out.println("refused " + refused + ", accepted " + accepted + ", distinct problems " + problems.size());
            problems.stream().sorted().forEach(System.out::println);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Byte flips (biased to the header, and to JSON punctuation and digits) and an optional truncation. */
    record Damage(List<int[]> flips, int length) {
        byte[] apply(byte[] in) {
            byte[] b = in.clone();
            for (int[] f : flips) b[f[0]] = (byte) f[1];
            return java.util.Arrays.copyOf(b, Math.min(length, b.length));
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        Arbitrary<Integer> anywhere = Arbitraries.integers().between(0, valid.length - 1);
        Arbitrary<Integer> inHeader = Arbitraries.integers().between(0, headerEnd - 1);
        Arbitrary<Integer> pos = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, inHeader), net.jqwik.api.Tuple.of(1, anywhere));
        Arbitrary<Integer> value = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255),
                Arbitraries.of("{}[]\",:-0123456789e. \\".chars().boxed().toList()));
        Arbitrary<int[]> flip = Combinators.combine(pos, value).as((p, v) -> new int[] {p, v});
        Arbitrary<Integer> length = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Integer.MAX_VALUE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, valid.length)));
        return Combinators.combine(flip.list().ofMinSize(0).ofMaxSize(4), length).as(Damage::new)
                .filter(d -> !d.flips().isEmpty() || d.length() < valid.length);
    }

    @Property(tries = 600)
    void damagedFilesFailOnlyWithSafetensorsException(@ForAll("damage") Damage d) throws IOException {
        Path p = dir.resolve("damaged.safetensors");
        Files.write(p, d.apply(valid));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            // Some damage leaves a valid file (a flipped data byte, a renamed tensor): then every tensor must be
            // readable end to end, proving the accepted offsets lie inside the mapping.
            for (String n : f.names()) {
                Tensor t = f.tensor(n);
                MemorySegment s = t.segment();
                long sum = 0;
                for (long i = 0; i < s.byteSize(); i++) sum += s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
                assertTrue(sum > Long.MIN_VALUE);
                if (t.elementCount() > 0) t.getFloat(t.elementCount() - 1);
            }
            accepted.incrementAndGet();
        } catch (SafetensorsException expected) {
            assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
            refused.incrementAndGet();
            // The problem text without numbers and names, to see which rules the damage reached.
            problems.add(expected.getMessage().substring(p.toString().length())
                    .replaceAll("'[^']*'", "'_'").replaceAll("[0-9]+", "N").replaceAll("\\(at character N\\)", ""));
        }
    }

    /** A header edit: in tensor {@code index}, replace the dtype (0), an offset (1, 2) or a dimension (3, 4), or shift the range (5). */
    record Edit(int index, int field, long value, String dtype) {}

    @Provide
    Arbitrary<Edit> edits() {
        Arbitrary<Long> value = Arbitraries.oneOf(
                Arbitraries.longs().between(-2, 64),
                Arbitraries.of(0L, 1L, -1L, 1L << 31, 1L << 32, (1L << 62) + 1, Long.MAX_VALUE, Long.MIN_VALUE,
                        (long) valid.length, (long) valid.length - headerEnd));
        Arbitrary<String> dtype = Arbitraries.of("F32", "F16", "BF16", "I64", "U8", "BOOL", "U16", "F8_E4M3", "", "f32");
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 5), value, dtype)
                .as(Edit::new);
    }

    @Provide
    Arbitrary<List<Edit>> editLists() {
        return edits().list().ofMinSize(1).ofMaxSize(3);
    }

    /**
     * Semantic damage the byte flips rarely reach: a header that is valid JSON with one shape dimension, offset or
     * dtype changed (to edge values: negative, 2^31, 2^63-1, the file size...). Still only SafetensorsException.
     */
    @Property(tries = 400)
    void editedHeadersFailOnlyWithSafetensorsException(@ForAll("editLists") List<Edit> edits) throws IOException {
        List<SafetensorsFile.TensorInfo> infos;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("valid.safetensors"))) {
            infos = f.infos();
        }
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < infos.size(); i++) {
            SafetensorsFile.TensorInfo t = infos.get(i);
            String dtype = t.dtype().safetensorsName();
            long[] shape = t.shape();
            long begin = t.begin(), end = t.end();
            for (Edit e : edits) {
                if (e.index() != i) continue;
                switch (e.field()) {
                    case 0 -> dtype = e.dtype();
                    case 1 -> begin = e.value();
                    case 2 -> end = e.value();
                    case 5 -> {   // move the whole range: overlaps and holes
                        begin += e.value() % 16;
                        end += e.value() % 16;
                    }
                    default -> {
                        if (shape.length > 0) shape[e.field() % shape.length] = e.value();
                    }
                }
            }
            if (i > 0) json.append(',');
            json.append('"').append(t.name()).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":")
                    .append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(begin).append(',').append(end).append("]}");
        }
        json.append('}');
        byte[] bytes = TestFiles.raw(json.toString(), valid.length - headerEnd);
        System.arraycopy(valid, headerEnd, bytes, bytes.length - (valid.length - headerEnd), valid.length - headerEnd);
        Path p = dir.resolve("edited.safetensors");
        Files.write(p, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String n : f.names()) {
                Tensor t = f.tensor(n);
                if (t.elementCount() > 0) t.getFloat(t.elementCount() - 1);
                assertTrue(t.offset() + t.byteSize() <= Files.size(p));
            }
            accepted.incrementAndGet();
        } catch (SafetensorsException expected) {
            assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
            refused.incrementAndGet();
            problems.add(expected.getMessage().substring(p.toString().length())
                    .replaceAll("'[^']*'", "'_'").replaceAll("[0-9]+", "N").replaceAll("\\(at character N\\)", ""));
        }
    }

    record Spec(DType dtype, long[] shape) {}

    @Provide
    Arbitrary<List<Spec>> specs() {
        Arbitrary<long[]> shape = Arbitraries.longs().between(0, 6).array(long[].class).ofMaxSize(4);
        Arbitrary<Spec> spec = Combinators.combine(Arbitraries.of(DType.class), shape).as(Spec::new);
        return spec.list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> names() {
        // Any encodable text: ASCII, accents, CJK, control characters (JSON-escaped), quotes and backslashes.
        return Arbitraries.strings().withChars("ab.\"\\/ \n\t").withCharRange('0', '9')
                .withCharRange('\u00e0', '\u00ff').withCharRange('\u4e00', '\u4e10').withCharRange('\u0000', '\u001f')
                .ofMaxLength(12);
    }

    @Provide
    Arbitrary<List<String>> nameLists() {
        return names().list().ofMaxSize(8);
    }

    @Property(tries = 150)
    void validRandomFilesRoundTrip(@ForAll("specs") List<Spec> specs,
                                   @ForAll("nameLists") List<String> nameList,
                                   @ForAll("names") String metaValue,
                                   @ForAll long seed) {
        Random rnd = new Random(seed);
        List<String> names = new ArrayList<>(new LinkedHashMap<String, Boolean>() {{
            for (String n : nameList) if (!n.equals(SafetensorsFile.METADATA_KEY)) put(n, true);
        }}.keySet());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            String name = i < names.size() ? names.get(i) : "t" + i;
            while (tensors.containsKey(name)) name = name + "_";
            tensors.put(name, SafetensorsWriterTest.randomTensor(specs.get(i).dtype(), rnd, specs.get(i).shape()));
        }
        Map<String, String> meta = seed % 2 == 0 ? Map.of() : Map.of("k", metaValue);
        Path p = dir.resolve("roundtrip.safetensors");
        SafetensorsWriter.writeAll(p, tensors, meta);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(tensors.keySet(), new HashSet<>(f.names()));
            assertEquals(meta, f.metadata());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                assertTrue(f.tensor(e.getKey()).contentEquals(e.getValue()), e.getKey());
            }
        }
    }
}
