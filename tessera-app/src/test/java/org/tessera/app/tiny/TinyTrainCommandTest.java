package org.tessera.app.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.app.ForwardCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.app.ForwardCommandTest.Run;

/**
 * {@code tessera tiny train} end to end at toy sizes: receipts, tokenizer, both lessons with the patch readout, the
 * receipts' run from the last lesson's weights, stopping and continuing, and a model {@code ask} loads.
 */
class TinyTrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theWholeRecipeRunsStopsAndContinues() throws Exception {
        Path out = tmp.resolve("run");
        String[] args = {"tiny", "train", "--out", out.toString(), "--count", "4", "--test-count", "2", "--steps", "2",
                "--lesson-steps", "2,2", "--lesson-examples", "8,8", "--stop-after", "3"};
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("lesson cells: 2 steps") && r.out().contains("patch readout: loss"), r.out());
        assertTrue(r.out().contains("stopped in lesson text at step 1"), r.out());
        assertEquals(8, Files.readAllLines(out.resolve("data/train_cells.jsonl")).size());
        assertEquals(TinyRecipe.LESSON_EVAL, Files.readAllLines(out.resolve("data/train_text_eval.jsonl")).size());
        r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed " + out.resolve("reader-text") + " at step 1"), r.out());
        assertTrue(r.out().contains("model written to " + out.resolve("model")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("model/model.safetensors")));
        assertTrue(Files.readString(out.resolve("model/training_args.json")).contains("reader-text"), "the receipts start from the last lesson");
        Run ask = run("ask", "--model", out.resolve("model").toString(), "--image", out.resolve("data/images/test-0000000.png").toString(),
                "--max-new-tokens", "3", "What is the total?");
        assertEquals(0, ask.code(), ask.err());
        Run bad = run("tiny", "train", "--out", tmp.resolve("bad").toString(), "--lesson-steps", "5");
        assertTrue(bad.code() != 0 && bad.err().contains("--lesson-steps and --lesson-examples take 2 positive numbers"), bad.err());
    }
}
