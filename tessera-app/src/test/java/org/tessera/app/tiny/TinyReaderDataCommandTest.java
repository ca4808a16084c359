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
        assertTrue(bad.code() != 0 && bad.err().contains("--lesson must be cells, grid, digits or text"), bad.err());
    }

    @Test
    void theGridAndDigitLessonsNeedNoReceiptsAndLabelOnlyDrawnCharacters() throws Exception {
        Run grid = run("tiny", "reader-data", "--data", tmp.toString(), "--lesson", "grid", "--pitch", "6,8", "--count", "20");
        assertEquals(0, grid.code(), grid.err());
        assertTrue(grid.out().contains("wrote 20 one-tile reading examples (characters at a 6.0-8.0 px pitch)"), grid.out());
        Run digits = run("tiny", "reader-data", "--data", tmp.toString(), "--lesson", "digits", "--cap", "6,16", "--count", "20");
        assertEquals(0, digits.code(), digits.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String kind : new String[] {"grid", "digits"}) {
            var lines = Files.readAllLines(tmp.resolve("train_" + kind + ".jsonl"));
            assertEquals(20, lines.size());
            for (String l : lines) {
                var ex = json.readTree(l);
                String answer = ex.path("conversations").get(1).path("value").asText();
                String patches = ex.path("patch_text").asText();
                assertEquals(64 * TinyRecipe.PATCH_SLOTS, patches.length(), l);
                assertTrue(answer.matches("[0-9.:\\- \\n]+") && !answer.isBlank(), answer);
                assertTrue(!answer.contains("  "), "single spaces between characters: " + answer);
                for (char c : patches.replace(" ", "").toCharArray()) assertTrue(answer.indexOf(c) >= 0, c + " labelled but not drawn: " + l);
                assertTrue(patches.chars().anyMatch(c -> c != ' '), "some patch holds a character: " + l);
                var img = javax.imageio.ImageIO.read(tmp.resolve(ex.path("image").asText()).toFile());
                assertEquals(TinyRecipe.TILE, img.getWidth());
            }
        }
        Run pitch = run("tiny", "reader-data", "--data", tmp.toString(), "--lesson", "grid", "--pitch", "3,8");
        assertTrue(pitch.code() != 0 && pitch.err().contains("--pitch takes MIN,MAX"), pitch.err());
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
