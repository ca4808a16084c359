package org.tessera.app.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.app.ForwardCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.app.ForwardCommandTest.Run;

/** {@code tessera tiny reader-data}: the one-tile reading lesson from rendered receipts, and its errors. */
class TinyReaderDataCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheLessonFromRenderedReceipts() throws Exception {
        new org.tessera.synth.SynthDataset(TinyRecipe.synthOptions(2, 1, 5).threads(1).build()).write(tmp, false, (split, done, total) -> {});
        Run r = run("tiny", "reader-data", "--data", tmp.toString(), "--name", "lesson", "--count", "12", "--cap", "12,16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 12 one-tile reading examples"), r.out());
        assertEquals(12, Files.readAllLines(tmp.resolve("train_lesson.jsonl")).size());
        assertEquals(12, Files.list(tmp.resolve("lesson")).count());
    }

    @Test
    void theCellLessonNeedsNoReceipts() throws Exception {
        Run r = run("tiny", "reader-data", "--data", tmp.toString(), "--lesson", "cells", "--count", "6");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 6 one-tile reading examples (one character per patch)"), r.out());
        assertEquals(6, Files.readAllLines(tmp.resolve("train_cells.jsonl")).size());
        Run bad = run("tiny", "reader-data", "--data", tmp.toString(), "--lesson", "words");
        assertTrue(bad.code() != 0 && bad.err().contains("--lesson must be cells or text"), bad.err());
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        Run none = run("tiny", "reader-data", "--data", tmp.toString());
        assertTrue(none.code() != 0 && none.err().contains("has no train_layout.jsonl"), none.err());
        Files.writeString(tmp.resolve("train_layout.jsonl"), "");
        Run cap = run("tiny", "reader-data", "--data", tmp.toString(), "--cap", "30,10");
        assertTrue(cap.code() != 0 && cap.err().contains("--cap takes MIN,MAX"), cap.err());
        Run name = run("tiny", "reader-data", "--data", tmp.toString(), "--name", "../x");
        assertTrue(name.code() != 0 && name.err().contains("--name must be"), name.err());
        Run empty = run("tiny", "reader-data", "--data", tmp.toString());
        assertTrue(empty.code() != 0 && empty.err().contains("has no text"), empty.err());
    }
}
