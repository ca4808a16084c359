package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera eval} end to end on the golden tiny checkpoint: its answers are gibberish, so the mechanics are
 * checked (predictions stored, a rerun continues, per-category scores, the sweep's table and plot, scoring elsewhere
 * made predictions, one-line errors).
 */
class EvalCommandTest {
    static final Path GOLDEN = ForwardCommandTest.GOLDEN;

    @TempDir
    Path dir;

    Path tsv(boolean malformed) throws Exception {
        String img = Base64.getEncoder().encodeToString(Files.readAllBytes(AskChatCommandTest.RECEIPT));
        StringBuilder b = new StringBuilder("index\timage\tquestion\tanswer\tcategory\n");
        b.append("1\t").append(img).append("\tWhat is the total?\t['12.50', '$12.50']\treceipts\n");
        b.append("2\t1\tWhat is the shop?\t['Corner Shop']\treceipts\n");
        b.append("3\t1\tWhat is the date?\t2024-01-01\tdates\n");
        if (malformed) b.append("4\t1\tcut short\n");
        Path f = dir.resolve("doc.tsv");
        Files.writeString(f, b.toString(), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void evalStoresAnswersResumesAndReportsPerCategory() throws Exception {
        Path data = tsv(false), out = dir.resolve("out");
        String[] args = {"eval", "--model", GOLDEN.toString(), "--data", data.toString(), "--kind", "docvqa", "--max-tiles", "2",
                "--max-new-tokens", "4", "--out", out.toString()};
        var r = ForwardCommandTest.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| **Overall** (3 rows) |"), r.out());
        assertTrue(r.out().contains("| category: dates |") && r.out().contains("| category: receipts |"), r.out());
        Path preds = out.resolve("predictions.jsonl");
        List<String> lines = Files.readAllLines(preds);
        assertEquals(3, lines.size());

        // Interrupted while writing the third answer: the rerun answers only that one.
        Files.writeString(preds, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 10));
        var again = ForwardCommandTest.run(args);
        assertEquals(0, again.code(), again.err());
        List<String> after = Files.readAllLines(preds);
        assertEquals(3, after.size());
        assertEquals(lines.subList(0, 2), after.subList(0, 2));
        assertEquals(strip(lines.get(2)), strip(after.get(2)));
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(2, report.get("max_tiles").asInt());
        assertEquals(2, report.get("scores").get("category").size());

        // The predictions scored on their own, as one JSON line.
        var s = ForwardCommandTest.run("eval", "score", "--data", data.toString(), "--kind", "docvqa", "--predictions", preds.toString(), "--json");
        assertEquals(0, s.code(), s.err());
        assertEquals(1, s.out().strip().lines().count());
        JsonNode j = new ObjectMapper().readTree(s.out());
        assertEquals(report.get("scores").get("score").asDouble(), j.get("score").asDouble());
        assertTrue(j.get("category").has("receipts"));
    }

    static String strip(String predictionLine) {
        return predictionLine.replaceAll(",\"seconds\":[0-9.E-]+", "");
    }

    @Test
    void sweepWritesOneTableAndAPlot() throws Exception {
        Path data = tsv(true), out = dir.resolve("sweep");
        var r = ForwardCommandTest.run("eval", "--model", GOLDEN.toString(), "--data", data.toString(), "--kind", "chartqa",
                "--limit", "2", "--max-new-tokens", "2", "--on-error", "skip", "--out", out.toString(),
                "--sweep", "max-tiles=1,3", "strategy=internvl,catty");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("1 malformed row left out"), r.err());
        assertTrue(r.out().contains("| internvl | 1 | 1.00 | 4.0 |"), r.out());
        assertTrue(r.out().contains("| catty | 3 |"), r.out());
        assertEquals(4, r.out().lines().filter(l -> l.startsWith("| internvl") || l.startsWith("| catty")).count());
        assertEquals(900, ImageIO.read(out.resolve("sweep.png").toFile()).getWidth());
        assertTrue(Files.exists(out.resolve("strategy-catty_max-tiles-3").resolve("report.md")));
        assertEquals(2, Files.readAllLines(out.resolve("strategy-catty_max-tiles-3").resolve("predictions.jsonl")).size());
    }

    @Test
    void errorsAreOneLine() throws Exception {
        var noData = ForwardCommandTest.run("eval", "--model", GOLDEN.toString());
        assertEquals(1, noData.code());
        assertTrue(noData.err().startsWith("tessera: eval needs --data FILE and --kind K"), noData.err());
        Path data = tsv(true);
        var bad = ForwardCommandTest.run("eval", "--model", GOLDEN.toString(), "--data", data.toString(), "--kind", "docvqa",
                "--out", dir.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("tessera: 1 malformed row in "), bad.err());
        assertTrue(bad.err().contains("doc.tsv:5 (index 4): has 3 fields"), bad.err());
        var kind = ForwardCommandTest.run("eval", "score", "--data", data.toString(), "--kind", "vqav2", "--predictions", data.toString());
        assertEquals(1, kind.code());
        assertTrue(kind.err().startsWith("tessera: unknown benchmark kind 'vqav2'"), kind.err());
        Path preds = dir.resolve("p.jsonl");
        Files.writeString(preds, "{\"index\": 9, \"prediction\": \"x\"}\n");
        var unknown = ForwardCommandTest.run("eval", "score", "--data", data.toString(), "--kind", "docvqa", "--predictions",
                preds.toString(), "--on-error", "skip");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("1 predictions have an index that is not in"), unknown.err());
    }
}
