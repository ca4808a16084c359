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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The slow LlamaTokenizer with {@code "legacy": false}, the tokenizer class Phi-3 based checkpoints (InternVL2-4B,
 * Mini-InternVL-4B) name, on InternLM2's real vocabulary with Phi-3's chat tokens added. The fixture
 * ({@code text/llama-nonlegacy-*}, written by {@code tools/sentencepiece-reference/make_llama_nonlegacy_fixture.js})
 * holds, for 21 strings, the ids of transformers' LlamaTokenizer rules restated over the real SentencePiece library,
 * and of transformers.js's LlamaTokenizer, which agree on all but the one string where they differ by design (text
 * that starts with an added token flagged special but missing from the special-tokens map: Python keeps a lone
 * {@code ▁} there). It also holds the legacy mode's ids for a model with add_dummy_prefix on, as LLaMA's own has.
 */
class LlamaNonLegacyTokenizerParityTest {

    private static JsonNode reference, config;
    private static Path dir;
    private static SentencePieceModel dummyPrefixModel;

    @BeforeAll
    static void load(@TempDir Path tmp) throws IOException {
        dir = tmp;
        try (InputStream in = new GZIPInputStream(resource("internlm2-tokenizer.model.gz"))) {
            Files.write(dir.resolve("tokenizer.model"), in.readAllBytes());
        }
        try (InputStream in = resource("llama-nonlegacy-tokenizer_config.json")) {
            Files.write(dir.resolve("tokenizer_config.json"), in.readAllBytes());
        }
        ObjectMapper json = new ObjectMapper();
        config = json.readTree(dir.resolve("tokenizer_config.json").toFile());
        try (InputStream in = resource("llama-nonlegacy-reference.json")) {
            reference = json.readTree(in);
        }
        SentencePieceModel m = SentencePieceModel.load(dir.resolve("tokenizer.model"));
        SentencePieceModel.NormalizerSpec ns = m.normalizer();
        assertEquals(false, ns.addDummyPrefix(), "the rebuilt InternLM2 model has no dummy prefix");
        dummyPrefixModel = new SentencePieceModel(m.pieces(), m.trainer(), new SentencePieceModel.NormalizerSpec(
                ns.name(), ns.precompiledCharsmap(), true, ns.removeExtraWhitespaces(), ns.escapeWhitespaces()));
    }

    private static InputStream resource(String name) {
        InputStream in = LlamaNonLegacyTokenizerParityTest.class.getResourceAsStream("/text/" + name);
        if (in == null) throw new IllegalStateException("missing test resource text/" + name);
        return in;
    }

    private static int[] ids(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** The fixture config's added tokens and special-tokens map, for tokenizers built around another model. */
    private static SentencePieceBpeTokenizer.Builder builderLikeTheConfig(SentencePieceModel model) {
        List<AddedToken> added = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("added_tokens_decoder").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            added.add(new AddedToken(Integer.parseInt(e.getKey()), n.path("content").asText(), n.path("special").asBoolean(),
                    n.path("lstrip").asBoolean(), n.path("rstrip").asBoolean(), false, false));
        }
        List<String> map = new ArrayList<>(List.of("<s>", "</s>", "<unk>"));
        config.path("additional_special_tokens").forEach(t -> map.add(t.asText()));
        return SentencePieceBpeTokenizer.builder(model).addedTokens(added).specialTokensMap(map);
    }

    @Test
    void aLegacyFalseDirectoryEncodesAsTransformersSlowTokenizer() {
        Tokenizer tok = Tokenizers.loadDirectory(dir);
        int agreeingWithTransformersJs = 0;
        for (JsonNode c : reference.path("cases")) {
            String text = c.path("text").asText();
            int[] expected = ids(c.path("python_slow"));
            assertArrayEquals(expected, tok.encode(text, false), () -> "ids of " + text);
            int[] withBos = new int[expected.length + 1];
            withBos[0] = 1;
            System.arraycopy(expected, 0, withBos, 1, expected.length);
            assertArrayEquals(withBos, tok.encode(text, true), () -> "ids with <s> of " + text);
            if (!c.path("python_only").asBoolean()) {
                assertArrayEquals(ids(c.path("transformers_js")), expected, "the two references agree");
                agreeingWithTransformersJs++;
            }
        }
        assertEquals(20, agreeingWithTransformersJs);
        // What legacy false changes: text after a chat token gets no dummy-prefix ▁ (InternLM2's "▁What" is 3716).
        int[] user = tok.encode("<|user|>\nWhat is the total?", false);
        assertEquals(92544, user[0]);
        assertEquals(3993, user[1], "'What' without a ▁ in front");
    }

    @Test
    void legacyFalseTurnsOffTheModelsDummyPrefix() {
        SentencePieceBpeTokenizer tok = builderLikeTheConfig(dummyPrefixModel).legacy(false).build();
        for (JsonNode c : reference.path("cases")) {
            String text = c.path("text").asText();
            assertArrayEquals(ids(c.path("python_slow")), tok.encode(text, false), () -> "ids of " + text);
        }
    }

    @Test
    void legacyModeEncodesEveryChunkWithTheDummyPrefix() {
        SentencePieceBpeTokenizer tok = builderLikeTheConfig(dummyPrefixModel).legacy(true).build();
        int differ = 0;
        for (JsonNode c : reference.path("cases")) {
            String text = c.path("text").asText();
            int[] legacy = ids(c.path("legacy_dummy_prefix"));
            assertArrayEquals(legacy, tok.encode(text, false), () -> "legacy ids of " + text);
            if (!java.util.Arrays.equals(legacy, ids(c.path("python_slow")))) differ++;
        }
        assertNotEquals(0, differ, "the fixture shows where the two modes differ");
    }

    @Test
    void decodingRoundTripsPlainTextAndStreamsTheSame() {
        Tokenizer tok = Tokenizers.loadDirectory(dir);
        for (JsonNode c : reference.path("cases")) {
            String text = c.path("text").asText();
            if (text.contains("<") || text.contains("\u2581")) continue; // added tokens, and ▁ (read as a space)
            int[] ids = tok.encode(text, true);
            assertEquals(text, tok.decode(ids, true), "round trip of " + text);
            StreamingDecoder s = tok.streamingDecoder(true);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) streamed.append(s.push(id));
            streamed.append(s.flush());
            assertEquals(text, streamed.toString(), "streamed " + text);
        }
        assertEquals("The total is 36.10.", tok.decode(tok.encode("<|assistant|>\nThe total is 36.10.<|end|>", false), true));
    }
}
