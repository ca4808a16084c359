package org.tessera.data.soup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.Answer;
import org.tessera.api.Request;
import org.tessera.api.VisionLanguageModel;
import org.tessera.core.DType;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsFile;
import org.tessera.core.io.SafetensorsWriter;
import org.tessera.core.tensor.Half;
import org.tessera.core.tensor.Tensor;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;
import org.tessera.data.Fixtures;
import org.tessera.vision.tiling.PlanOverlay;

/**
 * Model soup on variants of the tiny golden checkpoint: the average equals a hand computation (f32 sum and division,
 * bf16 round to nearest even), the result loads and answers, mismatched checkpoints are refused naming the first
 * difference, greedy soup keeps only what improves the score, sharded layouts are mirrored.
 */
class SoupTest {
    static final Path GOLDEN = Fixtures.GOLDEN;
    @TempDir
    Path tmp;
    PrintStream log = new PrintStream(new ByteArrayOutputStream());

    /**
     * A copy of the golden directory whose weights are {@code f(name, values)} (stored as BF16 with round to nearest
     * even), optionally with tensors renamed, dropped or retyped by {@code edit}.
     */
    Path variant(String name, BiFunction<String, float[], float[]> f, Map<String, DType> retype, List<String> drop) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> s = Files.list(GOLDEN)) {
            for (Path p : s.toList()) if (!p.getFileName().toString().equals("model.safetensors")) Files.copy(p, dir.resolve(p.getFileName()));
        }
        try (Checkpoint src = Checkpoint.open(GOLDEN)) {
            SafetensorsWriter.Builder b = SafetensorsWriter.builder(dir.resolve("model.safetensors")).metadata("format", "pt");
            List<String> names = new ArrayList<>();
            for (String n : src.names()) {
                if (drop.contains(n)) continue;
                names.add(n);
                b.add(n, retype.getOrDefault(n, src.info(n).dtype()), src.info(n).shape());
            }
            try (SafetensorsWriter w = b.open()) {
                for (String n : names) w.writeFloats(n, f.apply(n, src.tensor(n).toFloatArray()));
            }
        }
        return dir;
    }

    Path scaled(String name, float scale, float shift) throws IOException {
        return variant(name, (n, v) -> {
            float[] o = v.clone();
            for (int i = 0; i < o.length; i++) o[i] = o[i] * scale + shift * (float) Math.sin(i * 0.37 + n.length());
            return o;
        }, Map.of(), List.of());
    }

    static float[] floats(Path dir, String name) {
        try (Checkpoint c = Checkpoint.open(dir)) {
            return c.tensor(name).toFloatArray();
        }
    }

    @Test
    void uniformSoupIsTheBf16RoundedF32AverageAndRuns() throws IOException {
        Path a = scaled("a", 1.0f, 0.0f), b = scaled("b", 1.02f, 0.003f), c = scaled("c", 0.97f, -0.002f);
        Path out = tmp.resolve("soup");
        Soup.Result r = Soup.run(Soup.Method.UNIFORM, List.of(a, b, c), out, null, false, log);
        assertEquals(3, r.ingredients().size());
        int checked = 0;
        try (Checkpoint s = Checkpoint.open(out); Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b);
             Checkpoint cc = Checkpoint.open(c)) {
            assertEquals(ca.names(), s.names());
            assertEquals(Map.of("format", "pt"), s.metadata());
            for (String n : s.names()) {
                Tensor t = s.tensor(n);
                assertEquals(DType.BF16, t.dtype(), n);
                float[] x = ca.tensor(n).toFloatArray(), y = cb.tensor(n).toFloatArray(), z = cc.tensor(n).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    float sum = x[i] + y[i];
                    sum += z[i];
                    short want = Half.floatToBf16(sum / 3);
                    short got = t.storage().get(Tensor.LE_SHORT, t.offset() + 2L * i);
                    if (want != got) throw new AssertionError(n + "[" + i + "]: want bf16 " + want + " got " + got);
                    checked++;
                }
            }
        }
        assertTrue(checked > 10_000, "checked " + checked + " values");
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertEquals(Files.readString(a.resolve(f)), Files.readString(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("logits.npy")), "golden test arrays are weights-like data, not configs");
        assertTrue(Files.exists(out.resolve("soup.json")));
        try (VisionLanguageModel vlm = VisionLanguageModel.load(out)) {
            Answer ans = vlm.ask(Request.of("Hello").withMaxNewTokens(4));
            assertTrue(ans.completionTokens() > 0);
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directories left");
        }
    }

    @Test
    void aSoupOfOneIsTheCheckpointBitForBit() throws IOException {
        Path a = scaled("a", 1.01f, 0.001f);
        Path out = tmp.resolve("one");
        Soup.run(Soup.Method.UNIFORM, List.of(a), out, null, false, log);
        try (Checkpoint x = Checkpoint.open(a); Checkpoint y = Checkpoint.open(out)) {
            for (String n : x.names()) assertTrue(x.tensor(n).contentEquals(y.tensor(n)), n);
        }
    }

    @Test
    void mismatchedCheckpointsAreRefusedNamingTheFirstDifference() throws IOException {
        Path a = scaled("a", 1f, 0f);
        String first, second;
        try (Checkpoint c = Checkpoint.open(GOLDEN)) {
            first = c.names().get(3);
            second = c.names().get(7);
        }
        Path missing = variant("missing", (n, v) -> v, Map.of(), List.of(second, first));
        DataException e = assertThrows(DataException.class, () -> ModelSoup.checkCompatible(List.of(a, missing)));
        assertEquals(missing + " has no tensor \"" + first + "\", which " + a + " has", e.getMessage());
        e = assertThrows(DataException.class, () -> ModelSoup.checkCompatible(List.of(missing, a)));
        assertTrue(e.getMessage().contains(a + " has a tensor \""), e.getMessage());

        Path retyped = variant("retyped", (n, v) -> v, Map.of(second, DType.F32), List.of());
        e = assertThrows(DataException.class, () -> ModelSoup.checkCompatible(List.of(a, retyped)));
        assertEquals("tensor \"" + second + "\" is BF16 in " + a + " but F32 in " + retyped, e.getMessage());

        // Another shape: the checkpoint of a different-sized model under the same names.
        Path reshaped = Files.createDirectories(tmp.resolve("reshaped"));
        try (Checkpoint src = Checkpoint.open(GOLDEN)) {
            SafetensorsWriter.Builder b = SafetensorsWriter.builder(reshaped.resolve("model.safetensors"));
            for (String n : src.names()) {
                long[] shape = src.info(n).shape();
                if (n.equals(first)) shape = new long[] {Tensor.elementCount(shape)};
                b.add(n, src.info(n).dtype(), shape);
            }
            try (SafetensorsWriter w = b.open()) {
                for (String n : src.names()) w.write(n, src.tensor(n).segment());
            }
        }
        e = assertThrows(DataException.class, () -> Soup.run(Soup.Method.UNIFORM, List.of(a, reshaped), tmp.resolve("x"), null, false, log));
        assertTrue(e.getMessage().startsWith("tensor \"" + first + "\" is ["), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written for refused checkpoints");
    }

    /** A scorer that reads one weight of the model: closer to {@code target} is better. Counts its calls. */
    static final class WeightScorer implements SoupScorer {
        final String tensor;
        final float target;
        int calls;

        WeightScorer(String tensor, float target) {
            this.tensor = tensor;
            this.target = target;
        }

        @Override
        public double score(Path dir) {
            calls++;
            return -Math.abs(floats(dir, tensor)[0] - target);
        }

        @Override public boolean higherIsBetter() { return true; }

        @Override public String describe() { return "closeness of " + tensor + "[0] to " + target; }
    }

    @Test
    void greedySoupAddsInScoreOrderOnlyWhatImproves() throws IOException {
        String t;
        float w0;
        try (Checkpoint c = Checkpoint.open(GOLDEN)) {
            t = c.names().stream().filter(n -> Math.abs(c.tensor(n).toFloatArray()[0]) > 0.01).findFirst().orElseThrow();
            w0 = c.tensor(t).toFloatArray()[0];
        }
        // Values at t[0] (in units of w0): A 1.0, B 1.3, C 0.5, target 1.1. Alone: A (0.1) beats B (0.2) beats C (0.6).
        // A+B = 1.15 (0.05: kept); A+B+C = 0.933 (0.167: left out).
        Path a = scaled("A", 1.0f, 0f), b = scaled("B", 1.3f, 0f), c = scaled("C", 0.5f, 0f);
        WeightScorer sc = new WeightScorer(t, 1.1f * w0);
        Path out = tmp.resolve("greedy");
        Soup.Result r = Soup.run(Soup.Method.GREEDY, List.of(c, b, a), out, sc, false, log);
        assertEquals(List.of(a, b), r.ingredients());
        assertEquals(2, r.steps().size());
        assertTrue(r.steps().get(0).kept());
        assertEquals(b, r.steps().get(0).added());
        assertFalse(r.steps().get(1).kept());
        assertEquals(5, sc.calls, "three checkpoints and two candidate soups");
        float[] want = floats(a, t), other = floats(b, t), got = floats(out, t);
        assertEquals(Half.roundToBf16((want[0] + other[0]) / 2), got[0]);
        JsonNode report = Jsonl.MAPPER.readTree(out.resolve("soup.json").toFile());
        assertEquals("greedy", report.get("method").asText());
        assertFalse(report.get("checkpoints").get(0).get("in_soup").asBoolean(), "C is not in the soup");
        assertEquals(2, report.get("greedy_steps").size());
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "candidate soups are cleaned up");
        }

        Path best = tmp.resolve("best");
        Soup.Result rb = Soup.run(Soup.Method.BEST, List.of(c, b, a), best, new WeightScorer(t, 1.1f * w0), false, log);
        assertEquals(List.of(a), rb.ingredients());
        assertEquals(floats(a, t)[0], floats(best, t)[0]);
    }

    @Test
    void shardedCheckpointsKeepTheirShardsAndTheBuiltInScorerRuns() throws IOException {
        Path a = scaled("a", 1f, 0f), b = scaled("b", 1.01f, 0.001f);
        Path sa = shard(a, "sa"), sb = shard(b, "sb");
        Path held = tmp.resolve("dev.jsonl");
        ImageIO.write(PlanOverlay.toBufferedImage(Fixtures.picture(80, 50, 3)), "png", tmp.resolve("p.png").toFile());
        Files.writeString(held, "{\"image\": \"p.png\", \"question\": \"What is it?\", \"answer\": \"stripes\"}\n"
                + "{\"question\": \"Say hi.\", \"answer\": \"hi\"}\n{\"image\": \"p.png\", \"caption\": \"a striped picture\"}\n");
        SoupScorer ppl = SoupScorer.forKind("perplexity", held);
        assertFalse(ppl.higherIsBetter());
        Path out = tmp.resolve("soup");
        Soup.Result r = Soup.run(Soup.Method.GREEDY, List.of(sa, sb), out, ppl, false, log);
        assertTrue(Double.isFinite(r.finalScore()) && r.finalScore() > 1, "a perplexity: " + r.finalScore());
        assertTrue(Files.exists(out.resolve(Checkpoint.INDEX_FILE)));
        assertTrue(Files.exists(out.resolve("model-00001-of-00002.safetensors")));
        assertTrue(Files.exists(out.resolve("model-00002-of-00002.safetensors")));
        try (Checkpoint x = Checkpoint.open(sa); Checkpoint y = Checkpoint.open(out)) {
            assertEquals(x.names(), y.names());
            for (String n : x.names()) assertEquals(x.pathOf(n).getFileName(), y.pathOf(n).getFileName(), n);
        }
        try (VisionLanguageModel vlm = VisionLanguageModel.load(out)) {
            assertTrue(vlm.ask(Request.of("Hi").withMaxNewTokens(2)).completionTokens() > 0);
        }
        assertTrue(SoupScorer.forKind("exact-match", held).higherIsBetter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoupScorer.forKind("mmbench", held));
        assertTrue(e.getMessage().contains("known: exact-match, perplexity"), e.getMessage());
    }

    /** {@code dir}'s weights split in two shards with an index. */
    Path shard(Path dir, String name) throws IOException {
        Path out = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) if (!p.getFileName().toString().endsWith(".safetensors")) Files.copy(p, out.resolve(p.getFileName()));
        }
        StringBuilder map = new StringBuilder();
        try (Checkpoint c = Checkpoint.open(dir)) {
            List<String> names = c.names();
            int half = names.size() / 2;
            for (int part = 0; part < 2; part++) {
                String file = "model-0000" + (part + 1) + "-of-00002.safetensors";
                List<String> mine = part == 0 ? names.subList(0, half) : names.subList(half, names.size());
                SafetensorsWriter.Builder b = SafetensorsWriter.builder(out.resolve(file)).metadata("format", "pt");
                for (String n : mine) {
                    SafetensorsFile.TensorInfo i = c.info(n);
                    b.add(n, i.dtype(), i.shape());
                    map.append(map.isEmpty() ? "" : ", ").append('"').append(n).append("\": \"").append(file).append('"');
                }
                try (SafetensorsWriter w = b.open()) {
                    for (String n : mine) w.write(n, c.tensor(n));
                }
            }
        }
        Files.writeString(out.resolve(Checkpoint.INDEX_FILE), "{\"metadata\": {}, \"weight_map\": {" + map + "}}");
        return out;
    }

    @Test
    void anOccupiedOutputIsRefusedUnlessForced() throws IOException {
        Path a = scaled("a", 1f, 0f);
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        DataException e = assertThrows(DataException.class, () -> Soup.run(Soup.Method.UNIFORM, List.of(a), out, null, false, log));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        Soup.run(Soup.Method.UNIFORM, List.of(a), out, null, true, log);
        assertFalse(Files.exists(out.resolve("keep.txt")));
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        assertThrows(IllegalArgumentException.class, () -> Soup.run(Soup.Method.GREEDY, List.of(a), tmp.resolve("g"), null, false, log));
    }
}
