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
}
