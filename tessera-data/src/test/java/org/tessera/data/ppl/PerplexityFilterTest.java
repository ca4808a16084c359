package org.tessera.data.ppl;

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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.ImageInput;
import org.tessera.api.VisionLanguageModel;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;
import org.tessera.data.OnError;
import org.tessera.vision.tiling.PlanOverlay;

/** {@code data ppl}: scores, the kept/dropped split, resuming after a kill, refusing a foreign journal, bad pairs. */
class PerplexityFilterTest {
    static VisionLanguageModel vlm;
    static final String[] CAPTIONS = {"a red square", "stripes and a gradient", "zzzz qqqq xxxx", "a picture", "the sky at night"};

    @TempDir
    Path tmp;
    Path input;
    PrintStream log = new PrintStream(new ByteArrayOutputStream());

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(PerplexityTest.GOLDEN);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    @BeforeEach
    void data() throws IOException {
        Files.createDirectories(tmp.resolve("img"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < CAPTIONS.length; i++) {
            ImageIO.write(PlanOverlay.toBufferedImage(PerplexityTest.picture(40 + 30 * i, 60, i)), "png", tmp.resolve("img/" + i + ".png").toFile());
            lines.add("{\"image\": \"img/" + i + ".png\", \"caption\": \"" + CAPTIONS[i] + "\", \"source\": \"s" + i + "\"}");
        }
        input = tmp.resolve("caps.jsonl");
        Files.write(input, lines);
    }

    PerplexityFilter.Options opts(Path out) {
        PerplexityFilter.Options o = new PerplexityFilter.Options(input, out);
        o.keep = 0.4;
        o.workers = 1;
        o.modelName = "tiny";
        return o;
    }

    static List<JsonNode> read(Path p) {
        return Jsonl.read(p, null).stream().map(l -> (JsonNode) l.value()).toList();
    }

    double expected(int i) {
        return new Perplexity(vlm).score(ImageInput.file(tmp.resolve("img/" + i + ".png")), CAPTIONS[i]).ppl();
    }

    @Test
    void keepsTheLowestPerplexitiesAndWritesEveryScore() {
        Path out = tmp.resolve("out");
        PerplexityFilter.Result r = PerplexityFilter.run(vlm, opts(out), log);
        assertEquals(5, r.total());
        assertEquals(2, r.kept());
        assertEquals(3, r.dropped());
        List<JsonNode> kept = read(out.resolve("kept.jsonl")), dropped = read(out.resolve("dropped.jsonl"));
        List<JsonNode> all = new ArrayList<>(kept);
        all.addAll(dropped);
        assertEquals(5, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).get("ppl").doubleValue() <= all.get(i).get("ppl").doubleValue(), "ascending");
        }
        for (JsonNode n : all) {
            int i = Integer.parseInt(n.get("source").asText().substring(1));
            assertEquals(CAPTIONS[i], n.get("caption").asText(), "input fields are kept");
            double want = expected(i); // the kernels' parallel sums may differ in the last bits between runs
            assertEquals(want, n.get("ppl").doubleValue(), want * 1e-5);
        }
        assertEquals(r.threshold(), kept.get(1).get("ppl").doubleValue());
        assertFalse(Files.exists(out.resolve("rejected.jsonl")));
    }

    @Test
    void aKilledRunResumesFromItsJournal() throws IOException {
        Path full = tmp.resolve("full");
        PerplexityFilter.run(vlm, opts(full), log);
        List<String> journal = Files.readAllLines(full.resolve("scores.jsonl"));
        assertEquals(6, journal.size(), "header and one line per pair");

        // A run killed after two pairs, in the middle of writing the third line; line 2's score is doctored so that
        // the test can tell it was taken from the journal, not recomputed.
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        JsonNode second = Jsonl.MAPPER.readTree(journal.stream().filter(s -> s.contains("\"line\":2")).findFirst().orElseThrow());
        String doctored = "{\"line\":2,\"ppl\":0.5,\"tokens\":" + second.get("tokens") + "}";
        String first = journal.stream().filter(s -> s.contains("\"line\":1")).findFirst().orElseThrow();
        Files.writeString(cut.resolve("scores.jsonl"), journal.get(0) + "\n" + first + "\n" + doctored + "\n{\"line\":3,\"pp");
        PerplexityFilter.Result r = PerplexityFilter.run(vlm, opts(cut), log);
        assertEquals(2, r.resumed());
        assertEquals(3, r.scoredNow());
        List<JsonNode> kept = read(cut.resolve("kept.jsonl"));
        assertEquals("s1", kept.get(0).get("source").asText());
        assertEquals(0.5, kept.get(0).get("ppl").doubleValue());
        List<JsonNode> fullAll = new ArrayList<>(read(full.resolve("kept.jsonl")));
        fullAll.addAll(read(full.resolve("dropped.jsonl")));
        List<JsonNode> cutAll = new ArrayList<>(kept);
        cutAll.addAll(read(cut.resolve("dropped.jsonl")));
        for (JsonNode n : cutAll) {
            if (n.get("source").asText().equals("s1")) continue;
            JsonNode same = fullAll.stream().filter(f -> f.get("source").equals(n.get("source"))).findFirst().orElseThrow();
            double want = same.get("ppl").doubleValue();
            assertEquals(want, n.get("ppl").doubleValue(), want * 1e-5);
        }
        for (String l : Files.readAllLines(cut.resolve("scores.jsonl"))) Jsonl.MAPPER.readTree(l); // the torn line is gone

        // Finished: another --keep re-filters from the journal alone.
        PerplexityFilter.Options again = opts(cut);
        again.keep = 1.0;
        PerplexityFilter.Result r2 = PerplexityFilter.run(vlm, again, log);
        assertEquals(0, r2.scoredNow());
        assertEquals(5, r2.kept());
    }

    @Test
    void aJournalForAnotherInputIsRefused() throws IOException {
        Path out = tmp.resolve("out");
        PerplexityFilter.run(vlm, opts(out), log);
        Files.writeString(input, Files.readString(input).replace("a picture", "a photo"));
        DataException e = assertThrows(DataException.class, () -> PerplexityFilter.run(vlm, opts(out), log));
        assertTrue(e.getMessage().contains("input_sha256 was"), e.getMessage());
        PerplexityFilter.Options o = opts(out);
        o.restart = true;
        assertEquals(5, PerplexityFilter.run(vlm, o, log).scoredNow());
    }

    @Test
    void badPairsFailWithTheirPlaceOrAreSetAside() throws IOException {
        Files.writeString(input, Files.readString(input) + "{\"image\": \"img/none.png\", \"caption\": \"x\"}\nnot json\n{\"image\": \"img/0.png\"}\n");
        Path out = tmp.resolve("out");
        DataException e = assertThrows(DataException.class, () -> PerplexityFilter.run(vlm, opts(out), log));
        assertTrue(e.getMessage().startsWith("caps.jsonl:6: image img/none.png not found"), e.getMessage());
        assertFalse(Files.exists(out.resolve("scores.jsonl")), "bad pairs are found before any scoring");
        PerplexityFilter.Options o = opts(out);
        o.onError = OnError.SKIP;
        o.workers = 2;
        PerplexityFilter.Result r = PerplexityFilter.run(vlm, o, log);
        assertEquals(3, r.rejected());
        assertEquals(2, r.kept());
        assertEquals(3, r.dropped());
        List<JsonNode> rej = read(out.resolve("rejected.jsonl"));
        assertEquals(List.of("caps.jsonl:6", "caps.jsonl:7", "caps.jsonl:8"), rej.stream().map(n -> n.get("place").asText()).toList());
        assertTrue(rej.get(0).get("reason").asText().startsWith("image img/none.png not found"), rej.toString());
        assertTrue(rej.get(1).get("reason").asText().startsWith("not valid JSON"), rej.toString());
        assertEquals("img/none.png", rej.get(0).get("row").get("image").asText());
        assertTrue(rej.get(2).get("reason").asText().contains("no \"caption\" text"), rej.toString());
        // A later run with --on-error fail stops at them again instead of silently passing.
        DataException again = assertThrows(DataException.class, () -> PerplexityFilter.run(vlm, opts(out), log));
        assertTrue(again.getMessage().contains("caps.jsonl:6"), again.getMessage());
    }
}
