package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera train}: toy data, a short run whose output {@code tessera ask} loads, resuming, and errors. */
class TrainCommandTest {
    static final Path GOLDEN = ForwardCommandTest.GOLDEN;

    @TempDir
    Path dir;

    @Test
    void writesToyDataTrainsAndAsks() throws Exception {
        Path toy = dir.resolve("toy"), out = dir.resolve("out");
        ForwardCommandTest.Run r = ForwardCommandTest.run("train", "--write-toy-data", toy.toString(), "--toy-examples", "6,2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 6 training and 2 held-out examples"), r.out());
        Files.writeString(dir.resolve("cfg.json"), "{\"warmup_steps\": 0, \"max_grad_norm\": 0.5}");
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", toy.resolve("meta.json").toString(),
                "--eval", toy.resolve("eval.jsonl").toString(), "--out", out.toString(), "--steps", "4", "--stop-after", "2",
                "--lr", "1e-3", "--batch", "2", "--config", dir.resolve("cfg.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 2/4  loss"), r.out());
        assertTrue(r.out().contains("held-out loss"), r.out());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", toy.resolve("meta.json").toString(),
                "--out", out.toString(), "--steps", "4", "--lr", "1e-3", "--batch", "2", "--config", dir.resolve("cfg.json").toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed " + out + " at step 2") && r.out().contains("step 4/4"), r.out());
        r = ForwardCommandTest.run("ask", "--model", out.toString(), "--image", toy.resolve("images/00000.png").toString(),
                "--max-new-tokens", "4", "What color is the square?");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void errors() {
        ForwardCommandTest.Run r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("train needs --model DIR, --data FILE and --out DIR"), r.err());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("none.jsonl").toString(),
                "--out", dir.resolve("o").toString(), "--stage", "everything");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown stage 'everything' (projector, vit, all, lora)"), r.err());
    }
}
