package org.tessera.app.tiny;

import static org.tessera.app.ForwardCommandTest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.app.ForwardCommandTest.Run;

/** {@code tessera tiny eval} scores exactly, by type, and its ablation writes the table, numbers and plot. */
class TinyEvalCommandTest {
    static final Path GOLDEN = Path.of("../tessera-model/src/test/resources/internvl-tiny-a");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;


    @Test
    void scoresGreedyAnswersByExactMatchAndType() throws Exception {
        Path img = Path.of("../examples/receipt.png").toAbsolutePath();
        Files.copy(img, tmp.resolve("r.png"));
        // The golden model's own greedy answers are "correct" for two questions, a wrong answer for the other two.
        List<String> lines = new ArrayList<>();
        String[] qs = {"What is the total?", "What is the tax?", "Where?", "Who?"};
        try (VisionLanguageModel vlm = VisionLanguageModel.load(GOLDEN)) {
            for (int i = 0; i < qs.length; i++) {
                String a = vlm.ask(Request.of(qs[i], tmp.resolve("r.png")).withTiling(Tiling.MODEL_DEFAULT)).text().strip();
                String answer = i % 2 == 0 ? a : a + " (not this)";
                lines.add(JSON.writeValueAsString(Map.of("id", "q" + i, "image", "r.png", "question_type", i < 2 ? "total" : "other",
                        "conversations", List.of(Map.of("from", "human", "value", "<image>\n" + qs[i]), Map.of("from", "gpt", "value", answer)))));
            }
        }
        Files.write(tmp.resolve("test.jsonl"), lines);
        Run r = run("tiny", "eval", "--model", GOLDEN.toString(), "--data", tmp.resolve("test.jsonl").toString(), "--out", tmp.resolve("o").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("50.0 % exact (2/4)"), r.out());
        assertTrue(r.out().contains("total") && r.out().contains("50.0 % (1/2)"), r.out());
        List<String> pred = Files.readAllLines(tmp.resolve("o/predictions-as-asked.jsonl"));
        assertEquals(4, pred.size());
        assertTrue(JSON.readTree(pred.get(0)).get("correct").asBoolean());

        Run ab = run("tiny", "eval", "--model", GOLDEN.toString(), "--data", tmp.resolve("test.jsonl").toString(), "--max", "2",
                "--ablation", "--out", tmp.resolve("ab").toString());
        assertEquals(0, ab.code(), ab.err());
        JsonNode rows = JSON.readTree(tmp.resolve("ab/ablation.json").toFile());
        assertEquals(TinyEvalCommand.ablationRows().size(), rows.size());
        assertEquals(1.0, rows.get(0).get("mean_tiles").asDouble(), 1e-9); // the fixed low-resolution row: one tile
        assertTrue(rows.get(4).get("mean_image_tokens").asDouble() > rows.get(1).get("mean_image_tokens").asDouble()); // 16 > 4 tiles
        assertTrue(Files.size(tmp.resolve("ab/ablation.png")) > 1000);
        assertTrue(Files.readString(tmp.resolve("ab/ablation.md")).contains("| 12 tiles with NVLM 1-D tile tags |"));
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        Run missing = run("tiny", "eval", "--model", GOLDEN.toString(), "--data", tmp.resolve("none.jsonl").toString());
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("none.jsonl: no such file"), missing.err());
        Files.write(tmp.resolve("bad.jsonl"), List.of("{\"image\": \"r.png\", \"conversations\": []}"));
        Run bad = run("tiny", "eval", "--model", GOLDEN.toString(), "--data", tmp.resolve("bad.jsonl").toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("bad.jsonl:1: expected one image and one question with its answer"), bad.err());
        Run both = run("tiny", "eval", "--model", GOLDEN.toString(), "--data", tmp.resolve("bad.jsonl").toString(), "--ablation", "--max-tiles", "4");
        assertNotEquals(0, both.code());
    }
}
