package org.tessera.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.VisionLanguageModel;
import org.tessera.eval.Evaluation;
import org.tessera.eval.Fixtures;
import org.tessera.eval.Kind;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Datasets;
import org.tessera.eval.data.OnError;
import org.tessera.eval.report.Report;
import org.tessera.eval.report.SweepReport;
import org.tessera.eval.report.SweepRow;

/** The runner on the golden tiny checkpoint (56 px tiles): answers are gibberish, the mechanics are what is tested. */
class EvalRunnerTest {
    static final Path TINY = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static VisionLanguageModel vlm;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(TINY);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    Path data(boolean withBadRow) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"index", "image", "question", "answer", "category"});
        rows.add(new String[] {"1", Fixtures.base64Png(150, 60, 1), "What does it say?", "['hello', 'hi']", "signs"});
        rows.add(new String[] {"2", "1", "And the colour?", "red", "signs"});
        rows.add(new String[] {"3", Fixtures.base64Png(40, 90, 2), "How many?", "3", "counting"});
        if (withBadRow) rows.add(new String[] {"4", "Zm9vYmFy".repeat(10), "Broken image?", "x", "counting"});
        return Fixtures.tsv(dir.resolve("set.tsv"), rows.toArray(String[][]::new));
    }

    static RunSettings settings() {
        return new RunSettings(Kind.VQA, "internvl", 2, 3);
    }

    @Test
    void answersAreStoredAndARunResumesAfterACutOffLine() throws Exception {
        Dataset d = Datasets.load(data(false), Kind.VQA, OnError.FAIL, false);
        Path out = dir.resolve("out");
        Evaluation.Outcome first = Evaluation.run(vlm, TINY.toString(), d, settings(), out, OnError.FAIL, ProgressBar.silent());
        assertEquals(3, first.run().answered());
        assertNotNull(first.scores());
        assertEquals(3, first.scores().scored());
        assertEquals(List.of("counting", "signs"), List.copyOf(first.scores().breakdown().get("category").keySet()));
        Path preds = out.resolve(EvalRunner.PREDICTIONS);
        List<String> lines = Files.readAllLines(preds);
        assertEquals(3, lines.size());
        assertTrue(first.usage().meanTiles() >= 1 && first.usage().meanImageTokens() >= 4, first.usage().toString());

        // Stop "during" the third answer: two complete lines and half of the third.
        Files.writeString(preds, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 20), StandardCharsets.UTF_8);
        Evaluation.Outcome second = Evaluation.run(vlm, TINY.toString(), d, settings(), out, OnError.FAIL, ProgressBar.silent());
        assertEquals(1, second.run().answered());
        assertEquals(3, Files.readAllLines(preds).size());
        assertEquals(Evaluation.texts(first.run().predictions()), Evaluation.texts(PredictionStore.load(preds).predictions()));
        assertEquals(first.scores().score(), second.scores().score());

        // A third run has nothing left to do.
        assertEquals(0, Evaluation.run(vlm, TINY.toString(), d, settings(), out, OnError.FAIL, ProgressBar.silent()).run().answered());

        JsonNode report = new ObjectMapper().readTree(out.resolve(Report.JSON_FILE).toFile());
        assertEquals("vqa", report.get("kind").asText());
        assertEquals(3, report.get("usage").get("questions").asInt());
        assertTrue(report.get("scores").get("category").has("signs"));
        assertTrue(Files.readString(out.resolve(Report.MARKDOWN_FILE)).contains("| category: counting |"));
        assertEquals(3, Files.readAllLines(out.resolve(Report.RESULTS_FILE)).size());

        // Other settings are refused rather than mixed in.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Evaluation.run(vlm, TINY.toString(), d, settings().withMaxTiles(4), out, OnError.FAIL, ProgressBar.silent()));
        assertTrue(e.getMessage().contains("max tiles 2 -> 4"), e.getMessage());
    }

    @Test
    void aRowTheModelCannotRunFailsOrIsSkipped() throws Exception {
        Dataset d = Datasets.load(data(true), Kind.VQA, OnError.FAIL, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Evaluation.run(vlm, TINY.toString(), d, settings(), dir.resolve("a"), OnError.FAIL, ProgressBar.silent()));
        assertTrue(e.getMessage().startsWith("set.tsv:5 (index 4): "), e.getMessage());
        Evaluation.Outcome o = Evaluation.run(vlm, TINY.toString(), d, settings(), dir.resolve("b"), OnError.SKIP, ProgressBar.silent());
        assertEquals(1, o.run().skipped().size());
        assertEquals(5, o.run().skipped().get(0).line());
        assertEquals(3, o.scores().scored());
        assertEquals(1, o.scores().missing());
    }

    @Test
    void requestsFollowTheWrapper() throws Exception {
        Dataset d = Datasets.load(data(false), Kind.DOCVQA, OnError.FAIL, false);
        var r = EvalRunner.request(d.samples().get(0), RunSettings.defaults(Kind.DOCVQA));
        assertEquals("What does it say?\nAnswer the question using a single word or phrase.", r.question());
        assertEquals(18, r.tiling().maxTiles());
        assertEquals(1, r.tiling().minTiles());
        assertEquals(100, r.sampling().maxNewTokens());
        assertEquals(0.0, r.sampling().temperature());
        assertEquals(1, Kind.tileLimit(24, 65));  // 64 // 65 = 0, at least 1
        assertEquals(21, Kind.tileLimit(24, 3));  // 64 // 3
    }

    @Test
    void sweepTableAndPlot() throws Exception {
        Dataset d = Datasets.load(data(false), Kind.VQA, OnError.FAIL, false);
        List<RunSettings> grid = Evaluation.sweep(RunSettings.defaults(Kind.VQA).withStrategy("internvl"),
                List.of("max-tiles=1,4", "strategy=internvl,catty"));
        assertEquals(4, grid.size());
        assertEquals("strategy=catty max-tiles=1", grid.get(2).label());
        List<SweepRow> rows = new ArrayList<>();
        for (RunSettings s : grid) {
            RunSettings short3 = new RunSettings(s.kind(), s.strategy(), s.maxTiles(), 2);
            Evaluation.Outcome o = Evaluation.run(vlm, TINY.toString(), d, short3, dir.resolve(short3.folderName()), OnError.FAIL,
                    ProgressBar.silent());
            rows.add(new SweepRow(short3, o.usage(), o.scores().score()));
        }
        assertTrue(rows.get(1).usage().meanImageTokens() > rows.get(0).usage().meanImageTokens(), rows.toString());
        assertNull(SweepReport.write(dir, Kind.VQA, rows, "test sweep"));
        String md = Files.readString(dir.resolve(SweepReport.MARKDOWN_FILE));
        assertEquals(8, md.lines().count(), md); // title, blank, header, rule, four rows
        assertTrue(md.contains("| catty | 4 |"), md);
        BufferedImage png = ImageIO.read(dir.resolve(SweepReport.PLOT_FILE).toFile());
        assertEquals(900, png.getWidth());
        JsonNode j = new ObjectMapper().readTree(dir.resolve(SweepReport.JSON_FILE).toFile());
        assertEquals(4, j.get("settings").size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.sweep(RunSettings.defaults(Kind.VQA), List.of("resolution=1,2")));
        assertTrue(e.getMessage().contains("unknown axis"), e.getMessage());
    }
}
