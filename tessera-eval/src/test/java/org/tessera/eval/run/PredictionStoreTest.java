package org.tessera.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionStoreTest {
    @TempDir
    Path dir;

    @Test
    void aCutOffLastLineIsDroppedAndCutFromTheFile() throws Exception {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"index\": 1, \"prediction\": \"a\"}\n{\"index\": \"x\", \"prediction\": 7}\n{\"index\": 3, \"predic");
        PredictionStore.Loaded l = PredictionStore.load(f);
        assertEquals(List.of("1", "x"), List.copyOf(l.predictions().keySet()));
        assertEquals("7", l.predictions().get("x").prediction());
        assertEquals(3, l.droppedLine());
        try (PredictionStore s = PredictionStore.open(f)) {
            assertTrue(s.has("1") && !s.has("3"));
            s.append(new Prediction("3", "c\nd", 2, 8, 20, 3, 0.25));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).startsWith("{\"index\":\"3\",\"prediction\":\"c\\nd\",\"tiles\":2,\"image_tokens\":8"), lines.get(2));
        assertEquals(0, PredictionStore.load(f).droppedLine());
    }

    @Test
    void aCompleteLastLineWithoutNewlineIsKept() throws Exception {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"index\": 1, \"prediction\": \"a\"}");
        try (PredictionStore s = PredictionStore.open(f)) {
            assertTrue(s.has("1"));
            s.append(Prediction.of("2", "b"));
        }
        assertEquals(2, Files.readAllLines(f).size());
    }

    @Test
    void brokenLinesElsewhereAndDuplicatesAreErrors() throws Exception {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"index\": 1, \"prediction\": \"a\"}\nnot json\n{\"index\": 2, \"prediction\": \"b\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PredictionStore.load(f));
        assertTrue(e.getMessage().endsWith("p.jsonl:2: not JSON (Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'))"), e.getMessage());
        Files.writeString(f, "{\"index\": 1, \"prediction\": \"a\"}\n{\"index\": \"01\", \"prediction\": \"b\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> PredictionStore.load(f));
        assertTrue(e.getMessage().contains(":2: a second prediction for index 1 (the first is on line 1)"), e.getMessage());
        Files.writeString(f, "{\"index\": 1}\n{\"index\": 2, \"prediction\": \"b\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> PredictionStore.load(f));
        assertTrue(e.getMessage().contains(":1: no \"prediction\" text"), e.getMessage());
    }

    @Test
    void progressBarShowsCountsRateAndEta() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf), true, "docvqa");
        bar.start(10, 4);
        assertEquals("docvqa [############..................] 4/10", bar.line());
        bar.step();
        assertTrue(bar.line().matches("docvqa \\[#{15}\\.{15}] 5/10 [0-9.]+ s/q ETA [0-9]+s"), bar.line());
        bar.finish();
        assertTrue(buf.toString().startsWith("\r\033[K"));
        assertTrue(buf.toString().endsWith("\r\033[K"));
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        ProgressBar off = new ProgressBar(new PrintStream(quiet), false, "");
        off.start(3, 0);
        off.step();
        off.finish();
        assertEquals(0, quiet.size());
        assertEquals("1h01m", ProgressBar.duration(3665));
        assertEquals("2m05s", ProgressBar.duration(125));
    }
}
