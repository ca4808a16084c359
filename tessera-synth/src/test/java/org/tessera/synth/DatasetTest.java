package org.tessera.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole data sets: the files, determinism across runs and thread counts, and the held-out split. */
class DatasetTest {
    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    static SynthOptions.Builder tiny() {
        return SynthOptions.builder().kind(Kind.MIXED).count(12).testCount(6).seed(7).minSize(448).maxSize(640);
    }

    /** Every file under dir, by relative path, with its bytes. */
    static TreeMap<String, byte[]> files(Path dir) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l));
        return out;
    }

    @Test
    void writesTheInternVLFormat() throws IOException {
        SynthOptions o = tiny().writeLayout(true).build();
        SynthDataset.Result r = new SynthDataset(o).write(tmp, false, null);
        assertEquals(12, r.trainImages());
        assertEquals(6, r.testImages());
        List<JsonNode> train = lines(tmp.resolve("train.jsonl"));
        List<JsonNode> test = lines(tmp.resolve("test.jsonl"));
        assertEquals(12, train.size());
        assertEquals(r.testQuestions(), test.size());
        assertEquals(6 * 3, test.size(), "three questions per test image, one line each");
        for (JsonNode j : train) {
            assertEquals(List.of("id", "image", "width", "height", "conversations", "kind", "min_text_px", "content_hash", "qa"),
                    fieldNames(j));
            Path img = tmp.resolve(j.get("image").asText());
            BufferedImage bi = ImageIO.read(img.toFile());
            assertEquals(j.get("width").asInt(), bi.getWidth());
            assertEquals(j.get("height").asInt(), bi.getHeight());
            JsonNode conv = j.get("conversations");
            assertEquals(2 * j.get("qa").size(), conv.size());
            for (int t = 0; t < conv.size(); t++) {
                assertEquals(t % 2 == 0 ? "human" : "gpt", conv.get(t).get("from").asText());
                String v = conv.get(t).get("value").asText();
                assertEquals(t == 0, v.startsWith("<image>\n"), "only the first turn carries the image: " + v);
                assertFalse(v.isBlank());
            }
            assertTrue(j.get("min_text_px").asDouble() >= o.minTextPx());
        }
        for (JsonNode j : test) {
            assertEquals(2, j.get("conversations").size());
            assertTrue(j.get("conversations").get(0).get("value").asText().startsWith("<image>\n"));
            assertTrue(j.has("question_type") && j.has("answer_text_px"));
            assertTrue(Files.exists(tmp.resolve(j.get("image").asText())));
        }
        JsonNode meta = JSON.readTree(tmp.resolve("meta.json").toFile());
        JsonNode e = meta.get("synth_mixed");
        assertEquals(tmp.toString(), e.get("root").asText());
        assertEquals(tmp + "/train.jsonl", e.get("annotation").asText());
        assertFalse(e.get("data_augment").asBoolean());
        assertEquals(1, e.get("repeat_time").asInt());
        assertEquals(12, e.get("length").asInt());
        assertEquals(test.size(), JSON.readTree(tmp.resolve("meta_test.json").toFile()).get("synth_mixed_test").get("length").asInt());
        assertTrue(Files.readString(tmp.resolve("README.md")).contains("| seed | 7 |"));
        assertEquals(12, lines(tmp.resolve("train_layout.jsonl")).size());
        // the layout file's answer items are the answers
        for (JsonNode j : lines(tmp.resolve("train_layout.jsonl"))) {
            for (JsonNode q : j.get("qa")) {
                assertEquals(q.get("answer").asText(), j.get("items").get(q.get("answer_item").asInt()).get("text").asText());
            }
        }
        try (Stream<Path> s = Files.list(tmp.resolve("images"))) {
            assertEquals(18, s.count());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".partial")));
        }
    }

    static List<String> fieldNames(JsonNode j) {
        List<String> out = new ArrayList<>();
        j.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void sameSeedSameBytesWhateverTheThreads() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        new SynthDataset(tiny().threads(1).build()).write(a, false, null);
        new SynthDataset(tiny().threads(3).build()).write(b, false, null);
        new SynthDataset(tiny().seed(8).threads(2).build()).write(c, false, null);
        TreeMap<String, byte[]> fa = files(a), fb = files(b), fc = files(c);
        assertEquals(fa.keySet(), fb.keySet());
        for (String k : fa.keySet()) {
            if (k.startsWith("meta")) continue; // they name the folder
            assertArrayEquals(fa.get(k), fb.get(k), k + " differs between runs");
        }
        assertNotEquals(new String(fa.get("train.jsonl")), new String(fc.get("train.jsonl")));
        int same = 0;
        for (String k : fa.keySet()) if (k.endsWith(".png") && java.util.Arrays.equals(fa.get(k), fc.get(k))) same++;
        assertEquals(0, same, "another seed should give other images");
    }

    @Test
    void samplesDoNotDependOnTheCount() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        new SynthDataset(tiny().count(4).testCount(3).build()).write(a, false, null);
        new SynthDataset(tiny().count(9).testCount(3).build()).write(b, false, null);
        List<String> ta = Files.readAllLines(a.resolve("train.jsonl")), tb = Files.readAllLines(b.resolve("train.jsonl"));
        assertEquals(ta, tb.subList(0, 4), "a longer run extends a shorter one");
        assertEquals(Files.readAllLines(a.resolve("test.jsonl")), Files.readAllLines(b.resolve("test.jsonl")),
                "the test split does not move with the training count");
    }

    @Test
    void testSplitNeverRepeatsTraining() throws IOException {
        new SynthDataset(tiny().count(30).testCount(20).build()).write(tmp, false, null);
        Set<String> train = new HashSet<>();
        for (JsonNode j : lines(tmp.resolve("train.jsonl"))) train.add(j.get("content_hash").asText());
        for (JsonNode j : lines(tmp.resolve("test.jsonl"))) assertFalse(train.contains(j.get("content_hash").asText()));
    }

    @Test
    void collidingTestSamplesAreDrawnAgain() throws IOException {
        // a broken seed scheme that hands test sample i the training stream of sample i on its first attempt
        SynthDataset.Seeds leaky = (seed, split, index, attempt) -> Rng.forSample(seed, attempt == 0 ? Split.TRAIN : split, index, attempt);
        SynthOptions o = tiny().count(8).testCount(5).build();
        SynthDataset.Result r = new SynthDataset(o, leaky).write(tmp, false, null);
        assertEquals(5, r.regenerated(), "every test sample collided with its training twin and was drawn again");
        Set<String> train = new HashSet<>();
        for (JsonNode j : lines(tmp.resolve("train.jsonl"))) train.add(j.get("content_hash").asText());
        Set<String> test = new HashSet<>();
        for (JsonNode j : lines(tmp.resolve("test.jsonl"))) {
            assertFalse(train.contains(j.get("content_hash").asText()));
            test.add(j.get("image").asText());
        }
        assertEquals(5, test.size());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("images/train-0000000.png")),
                Files.readAllBytes(tmp.resolve("images/test-0000000.png"))));
        assertTrue(Files.readString(tmp.resolve("README.md")).contains("5 test sample(s) were drawn again"));
        // and a scheme that can never escape the training set gives up with a clear message
        SynthDataset.Seeds stuck = (seed, split, index, attempt) -> Rng.forSample(seed, Split.TRAIN, index, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SynthDataset(tiny().count(2).testCount(1).build(), stuck).write(tmp.resolve("x"), false, null));
        assertTrue(e.getMessage().contains("attempts"), e.getMessage());
    }

    @Test
    void refusesToMixWithOtherFiles() throws IOException {
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SynthDataset(tiny().build()).write(tmp, false, null));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        new SynthDataset(tiny().count(3).testCount(1).build()).write(tmp, true, null);
        new SynthDataset(tiny().count(2).testCount(1).build()).write(tmp, true, null);
        try (Stream<Path> s = Files.list(tmp.resolve("images"))) {
            assertEquals(3, s.count(), "--overwrite removes the images of the earlier run");
        }
        assertEquals("mine", Files.readString(tmp.resolve("notes.txt")), "and leaves other files alone");
    }

    @Test
    void progressIsReportedInOrder() throws IOException {
        List<String> seen = new ArrayList<>();
        new SynthDataset(tiny().count(3).testCount(2).build()).write(tmp, false, (split, done, total) -> seen.add(split.label() + done + "/" + total));
        assertEquals(List.of("train1/3", "train2/3", "train3/3", "test1/2", "test2/2"), seen);
    }
}
