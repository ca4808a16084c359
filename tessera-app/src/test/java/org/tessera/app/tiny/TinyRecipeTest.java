package org.tessera.app.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.text.Tokenizer;
import org.tessera.model.text.Tokenizers;

/** The recipe's data steps: the reading task's transcripts and the model directory it starts from. */
class TinyRecipeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static String item(String text, double x, double y, double w, double h) {
        return "{\"text\": \"" + text + "\", \"box\": [" + x + ", " + y + ", " + w + ", " + h + "]}";
    }

    @Test
    void transcriptsAreLinesTopToBottomAndLeftToRight() throws Exception {
        JsonNode items = JSON.readTree("[" + String.join(",", item("8.99", 230, 168, 30, 12), item("TOTAL", 16, 300, 60, 20),
                item("GREEN TEA", 16, 169, 67, 12), item("SHOP", 80, 30, 100, 23), item("65.79", 200, 302, 70, 20)) + "]");
        assertEquals("SHOP\nGREEN TEA 8.99\nTOTAL 65.79", TinyRecipe.transcript(items));
    }

    @Test
    void readingDataAppendsTheTranscriptAfterTheQuestionsAndTheTokenizerLearnsFromIt() throws Exception {
        String qa = "\"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nWhat is the total?\"}, {\"from\": \"gpt\", \"value\": \"65.79\"}]}";
        Files.write(tmp.resolve("train.jsonl"), List.of("{\"id\": \"train-0\", \"image\": \"images/a.png\", " + qa,
                "{\"id\": \"train-1\", \"image\": \"images/b.png\", " + qa));
        String items = "\"items\": [" + item("TOTAL", 16, 300, 60, 20) + "," + item("65.79", 200, 302, 70, 20) + "]}";
        Files.write(tmp.resolve("train_layout.jsonl"), List.of("{\"id\": \"train-0\", " + items, "{\"id\": \"train-1\", " + items));
        Path read = TinyRecipe.writeReadingData(tmp);
        JsonNode ex = JSON.readTree(Files.readAllLines(read).get(0));
        JsonNode conv = ex.get("conversations");
        assertEquals(4, conv.size());
        assertEquals("65.79", conv.get(1).get("value").asText());
        assertEquals(TinyRecipe.READ_QUESTION, conv.get(2).get("value").asText());
        assertEquals("TOTAL 65.79", conv.get(3).get("value").asText());

        TinyRecipe.writeModelDirectory(read, tmp.resolve("init"));
        JsonNode cfg = JSON.readTree(tmp.resolve("init/config.json").toFile());
        Tokenizer tok = Tokenizers.loadDirectory(tmp.resolve("init"));
        assertEquals(tok.vocabSize(), cfg.get("llm_config").get("vocab_size").asInt());
        assertEquals(tok.tokenId("<IMG_CONTEXT>"), cfg.get("img_context_token_id").asInt());
        assertEquals(1, tok.encode("TOTAL").length, "a word of the transcripts (twice here) is one token");
        assertEquals(TinyRecipe.SYSTEM_MESSAGE, cfg.get("system_message").asText());

        Files.write(tmp.resolve("train_layout.jsonl"), List.of("{\"id\": \"train-9\", \"items\": []}"));
        var e = assertThrows(IllegalArgumentException.class, () -> TinyRecipe.writeReadingData(tmp));
        assertTrue(e.getMessage().contains("does not match train.jsonl at train-0"), e.getMessage());
    }

    @Test
    void stripsAndLinesAreWholeLinesOfTheRenderedReceipts() throws Exception {
        var o = TinyRecipe.synthOptions(4, 1, 3).threads(1).build();
        new org.tessera.synth.SynthDataset(o).write(tmp, false, (split, done, total) -> {});
        Path strips = TinyRecipe.writeStripData(tmp, 4, 1);
        Path lines = TinyRecipe.writeLineData(tmp, 4, 1);
        List<String> layout = Files.readAllLines(tmp.resolve("train_layout.jsonl"));
        for (Path p : List.of(strips, lines)) {
            List<String> rows = Files.readAllLines(p);
            assertEquals(4, rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode ex = JSON.readTree(rows.get(i));
                String answer = ex.get("conversations").get(1).get("value").asText();
                // every answer line is a whole line of that receipt's transcript
                List<String> page = List.of(TinyRecipe.transcript(JSON.readTree(layout.get(i)).get("items")).split("\n"));
                for (String line : answer.split("\n")) assertTrue(page.contains(line), line + " not in " + page);
                var img = javax.imageio.ImageIO.read(tmp.resolve(ex.get("image").asText()).toFile());
                assertEquals(ex.get("width").asInt(), img.getWidth());
                assertEquals(ex.get("height").asInt(), img.getHeight());
                if (p == lines) {
                    assertEquals(1, answer.split("\n").length);
                    assertTrue(img.getHeight() >= img.getWidth() / 2, "a line sits on a canvas half as tall as wide");
                } else {
                    assertTrue(img.getHeight() <= img.getWidth() / 2 + 6, "a strip is at most about half as tall as wide");
                }
            }
        }
    }

    @Test
    void tileTextIsOneTileWithTheCharacterOfEveryPatch() throws Exception {
        var o = TinyRecipe.synthOptions(3, 1, 3).threads(1).build();
        new org.tessera.synth.SynthDataset(o).write(tmp, false, (split, done, total) -> {});
        Path file = TinyRecipe.writeTileTextData(tmp, "tiletext", 40, 7, 10, 20, 0.5);
        List<String> rows = Files.readAllLines(file);
        assertEquals(40, rows.size());
        int grid = TinyRecipe.TILE / TinyRecipe.PATCH;
        int glyphPatches = 0;
        for (String row : rows) {
            JsonNode ex = JSON.readTree(row);
            String answer = ex.get("conversations").get(1).get("value").asText();
            String patches = ex.get("patch_text").asText();
            int slots = TinyRecipe.PATCH_SLOTS;
            assertEquals(grid * grid * slots, patches.length());
            assertTrue(!answer.isBlank() && answer.lines().allMatch(l -> !l.isBlank() && l.equals(l.strip())), answer);
            // every drawn character is named once, at the patch that holds its centre, in reading order
            assertEquals(answer.replaceAll("\\s", ""), namedOnce(patches, answer));
            for (char ch : patches.toCharArray()) if (ch != ' ') glyphPatches++;
            var img = javax.imageio.ImageIO.read(tmp.resolve(ex.get("image").asText()).toFile());
            assertEquals(TinyRecipe.TILE, img.getWidth());
            assertEquals(TinyRecipe.TILE, img.getHeight());
            // a patch marked blank holds (almost) no ink; one marked with a character holds some
            for (int py = 0; py < grid; py++) {
                for (int px = 0; px < grid; px++) {
                    int dark = 0;
                    for (int y = 0; y < TinyRecipe.PATCH; y++) {
                        for (int x = 0; x < TinyRecipe.PATCH; x++) {
                            if ((img.getRGB(px * TinyRecipe.PATCH + x, py * TinyRecipe.PATCH + y) & 0xff) < 215) dark++;
                        }
                    }
                    String here = patches.substring((py * grid + px) * slots, (py * grid + px + 1) * slots);
                    if (!here.isBlank()) assertTrue(dark > 0, "patch " + px + "," + py + " is marked '" + here + "' but blank in " + ex.get("image").asText() + ": " + answer);
                }
            }
        }
        assertTrue(glyphPatches > 40 * 6, "images mark many patches: " + glyphPatches);
        // the same seed draws the same data
        Path again = TinyRecipe.writeTileTextData(tmp, "again", 40, 7, 10, 20, 0.5);
        List<String> second = Files.readAllLines(again);
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(JSON.readTree(rows.get(i)).get("patch_text"), JSON.readTree(second.get(i)).get("patch_text"));
        }
    }

    @Test
    void theCellLessonPutsOneCharacterInEachPatchOfItsLines() throws Exception {
        List<String> rows = Files.readAllLines(TinyRecipe.writeCellTextData(tmp, "cells", 30, 3, TinyRecipe.CELL_CHARS));
        int grid = TinyRecipe.TILE / TinyRecipe.PATCH;
        for (String row : rows) {
            JsonNode ex = JSON.readTree(row);
            String[] lines = ex.get("conversations").get(1).get("value").asText().split("\n");
            String cells = ex.get("patch_text").asText();
            assertEquals(3, lines.length);
            var img = javax.imageio.ImageIO.read(tmp.resolve(ex.get("image").asText()).toFile());
            for (int l = 0; l < 3; l++) {
                String expect = cells.substring((2 * l + 1) * grid, (2 * l + 2) * grid).stripTrailing();
                assertEquals(expect.isEmpty() ? "-" : expect, lines[l]);
            }
            for (int p = 0; p < grid * grid; p++) {
                int py = p / grid, px = p % grid, dark = 0;
                if (py % 2 == 0 || py == grid - 1) assertEquals(' ', cells.charAt(p), "only rows 1, 3 and 5 hold characters");
                for (int y = 0; y < TinyRecipe.PATCH; y++) {
                    for (int x = 0; x < TinyRecipe.PATCH; x++) {
                        if ((img.getRGB(px * TinyRecipe.PATCH + x, py * TinyRecipe.PATCH + y) & 0xff) < 200) dark++;
                    }
                }
                if (cells.charAt(p) != ' ') assertTrue(dark > 0, "patch " + p + " holds '" + cells.charAt(p) + "' but no ink");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> TinyRecipe.writeCellTextData(tmp, "bad", 1, 1, "a b"));
    }

    /**
     * The answer's characters (spaces left out) for which a label is left, each taking one: equal to the answer when
     * the labels name every drawn character once; and no label may be left over.
     */
    private static String namedOnce(String patches, String answer) {
        StringBuilder pool = new StringBuilder(patches);
        StringBuilder got = new StringBuilder();
        for (char ch : answer.replaceAll("\\s", "").toCharArray()) {
            int at = pool.indexOf(String.valueOf(ch));
            if (at < 0) break;
            got.append(ch);
            pool.setCharAt(at, ' ');
        }
        assertTrue(pool.toString().isBlank(), "labels left over: " + pool.toString().strip());
        return got.toString();
    }
}
