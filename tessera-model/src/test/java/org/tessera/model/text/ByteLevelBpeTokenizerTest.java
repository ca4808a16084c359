package org.tessera.model.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteLevelBpeTokenizerTest {

    static final List<String> INTERNVL_TOKENS = SentencePieceBpeTokenizerTest.INTERNVL_TOKENS;

    @Test
    void goldenTinyTokenizerIds(@TempDir Path dir) throws Exception {
        // Loaded as a directory, as a checkpoint would be.
        try (var in = getClass().getResourceAsStream("/text/internvl-tiny-a/tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        try (var in = getClass().getResourceAsStream("/text/internvl-tiny-a/tokenizer_config.json")) {
            Files.copy(in, dir.resolve("tokenizer_config.json"));
        }
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.loadDirectory(dir);
        assertEquals(299, t.tokenId("<IMG_CONTEXT>"));
        assertEquals(297, t.tokenId("<img>"));
        assertEquals(298, t.tokenId("</img>"));
        assertEquals(292, t.tokenId("<|im_end|>"));
        assertEquals(300, t.vocabSize());
        assertEquals(34, t.mergeCount());
        assertEquals(-1, t.tokenId("<nope>"));
        assertTrue(t.isSpecial(299));
        assertFalse(t.isSpecial(256));
        assertEquals(0, t.prefixTokens().length);
        assertArrayEquals(t.encode("x"), t.encode("x", true)); // Qwen2 adds nothing
        assertArrayEquals(new int[]{297, 299, 299, 298}, t.encode("<img><IMG_CONTEXT><IMG_CONTEXT></img>"));
    }

    @Test
    void slowTokenizerFilesGiveTheSameTokenizer(@TempDir Path dir) throws Exception {
        // A checkpoint that ships vocab.json + merges.txt (+ added tokens in the configs) instead of tokenizer.json.
        var tiny = Fixtures.tinyBase();
        Files.writeString(dir.resolve("vocab.json"), tiny.path("model").path("vocab").toString());
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (var m : tiny.path("model").path("merges")) merges.append(m.asText()).append('\n');
        Files.writeString(dir.resolve("merges.txt"), merges.append('\n').toString());
        try (var in = getClass().getResourceAsStream("/text/internvl-tiny-a/tokenizer_config.json")) {
            Files.copy(in, dir.resolve("tokenizer_config.json"));
        }
        Files.writeString(dir.resolve("added_tokens.json"), "{\"<IMG_CONTEXT>\": 299, \"<extra>\": 300}");
        ByteLevelBpeTokenizer slow = ByteLevelBpeTokenizer.loadDirectory(dir);
        ByteLevelBpeTokenizer fast = Fixtures.variant("tiny");
        assertEquals(301, slow.vocabSize());
        assertEquals(300, slow.tokenId("<extra>"));
        assertTrue(slow.isSpecial(300));
        for (var c : Fixtures.expected().path("cases")) {
            if (!c.path("variant").asText().equals("tiny")) continue;
            String text = c.path("text").asText();
            assertArrayEquals(fast.encode(text), slow.encode(text), text);
        }
        assertArrayEquals(new int[]{297, 300, 298}, slow.encode("<img><extra></img>"));
    }

    @Test
    void treeAndStreamingLoadersAgree() throws Exception {
        ByteLevelBpeTokenizer streamed = Fixtures.qwenTokenizer();
        ByteLevelBpeTokenizer tree = ByteLevelBpeTokenizer.fromJson(Fixtures.qwenBase());
        assertEquals(tree.vocabSize(), streamed.vocabSize());
        assertEquals(151387, streamed.mergeCount());
        assertEquals(tree.mergeCount(), streamed.mergeCount());
        assertEquals(tree.addedTokens(), streamed.addedTokens());
        String s = "<|im_start|>Hello, 世界! 1234 don't\n\n  <think>x</think>";
        assertArrayEquals(tree.encode(s), streamed.encode(s));
        for (int id : new int[]{0, 220, 151642, 151643, 151668}) assertEquals(tree.token(id), streamed.token(id));
        try (var in = getClass().getResourceAsStream("/text/internvl-tiny-a/tokenizer.json")) {
            ByteLevelBpeTokenizer tinyStreamed = ByteLevelBpeTokenizer.load(in);
            ByteLevelBpeTokenizer tinyTree = Fixtures.variant("tiny");
            assertArrayEquals(tinyTree.encode(s), tinyStreamed.encode(s));
            assertEquals(tinyTree.vocabSize(), tinyStreamed.vocabSize());
        }
    }

    /** The Qwen base with only its first {@code keep} added tokens, then InternVL's nine added like the training script. */
    private static ByteLevelBpeTokenizer qwenWithInternVL(int keep) {
        return Fixtures.qwenWith(keep, List.of()).addTokens(INTERNVL_TOKENS, true);
    }

    @Test
    void internVl25TokenIdsFollowFromAddTokens() {
        // Qwen2.5 has 22 added tokens (151643..151664); InternVL's nine come next. Section 4.3's table.
        ByteLevelBpeTokenizer t = qwenWithInternVL(22);
        assertEquals(151644, t.tokenId("<|im_start|>"));
        assertEquals(151645, t.tokenId("<|im_end|>"));
        assertEquals(151665, t.tokenId("<img>"));
        assertEquals(151666, t.tokenId("</img>"));
        assertEquals(151667, t.tokenId("<IMG_CONTEXT>"));
        assertEquals(151673, t.tokenId("</box>"));
        assertEquals(151674, t.vocabSize());
        // Same tokenizer as the transformers.js variant, so same ids.
        ByteLevelBpeTokenizer v = Fixtures.variant("qwen25_internvl");
        String s = "<|im_start|>user\n<img><IMG_CONTEXT></img>\n你好 world<|im_end|>";
        assertArrayEquals(v.encode(s), t.encode(s));
    }

    @Test
    void internVl2TokenIdsFollowFromAddTokens() {
        // Qwen2 (InternVL2-1B) has three added tokens: <|endoftext|>, <|im_start|>, <|im_end|>.
        ByteLevelBpeTokenizer t = qwenWithInternVL(3);
        assertEquals(151646, t.tokenId("<img>"));
        assertEquals(151647, t.tokenId("</img>"));
        assertEquals(151648, t.tokenId("<IMG_CONTEXT>"));
        assertEquals(151655, t.vocabSize());
    }

    @Test
    void addTokensReusesExistingIds() {
        ByteLevelBpeTokenizer base = Fixtures.qwenWith(22, List.of());
        int hello = base.tokenId("hello");
        ByteLevelBpeTokenizer t = base.addTokens(List.of("hello", "<new>", "<|im_end|>"), false);
        assertEquals(hello, t.tokenId("hello"));       // already in the vocabulary: keeps its id
        assertEquals(151665, t.tokenId("<new>"));
        assertEquals(151645, t.tokenId("<|im_end|>")); // already added: unchanged
    }

    @Test
    void qwenSplitsDigitsAndKeepsNewlineRuns() {
        ByteLevelBpeTokenizer t = Fixtures.variant("qwen25_internvl");
        assertEquals(List.of("1", "2", "3", " ", "4", "5"), t.preTokens("123 45"));
        assertEquals(List.of("a", "\n\n\n"), t.preTokens("a\n\n\n"));
        assertEquals(List.of("x", " \n"), t.preTokens("x \n"));
        assertEquals(List.of("DON", "'T", " we", "'LL"), t.preTokens("DON'T we'LL"));
    }

    @Test
    void singleWordAddedToken() {
        // transformers.js ignores single_word, so this is checked against the rule itself: the match must not
        // touch a word character (\w) on either side; a dropped match is not retried inside its span.
        ObjectNode json = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        ObjectNode tok = ((ArrayNode) json.path("added_tokens")).addObject();
        tok.put("id", 300).put("content", "cat").put("single_word", true).put("lstrip", false).put("rstrip", false)
                .put("normalized", false).put("special", false);
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.fromJson(json);
        assertTrue(contains(t.encode("a cat."), 300));
        assertTrue(contains(t.encode("cat"), 300));
        assertTrue(contains(t.encode("(cat)"), 300));
        assertFalse(contains(t.encode("cats"), 300));
        assertFalse(contains(t.encode("concat"), 300));
        assertFalse(contains(t.encode("cat_"), 300));      // '_' is a word character
        assertTrue(contains(t.encode("cat-"), 300));
        assertEquals("a cat. cats", t.decode(t.encode("a cat. cats"), false));
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    /** A hand-made tokenizer.json: bytes-level vocabulary of a few letters and the given merges, in order. */
    private static ByteLevelBpeTokenizer tinyBpe(List<String> vocab, List<String> merges) {
        ObjectNode root = Fixtures.JSON.createObjectNode();
        root.putArray("added_tokens");
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel");
        root.putNull("post_processor");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) v.put(vocab.get(i), i);
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        return ByteLevelBpeTokenizer.fromJson(root);
    }

    @Test
    void bpeMergesLowestRankFirstAndLeftmostOnTies() {
        ByteLevelBpeTokenizer t = tinyBpe(List.of("a", "b", "c", "aa", "ab", "bc", "abc", "aaa"),
                List.of("b c", "a b", "a a", "a bc", "aa a"));
        // "abc": "b c" (rank 0) beats "a b" (rank 1), then "a bc" (rank 3).
        assertArrayEquals(new int[]{6}, t.encode("abc"));
        // "aaa": both pairs are "a a" (rank 2): the left one merges first, then "aa a" (rank 4).
        assertArrayEquals(new int[]{7}, t.encode("aaa"));
        // "aaaa": the leftmost "a a" first; then "aa a" (rank 4) competes with the remaining "a a" (rank 2), which
        // wins, giving "aa" "aa" (and "aaaa" is not a merge).
        assertArrayEquals(new int[]{3, 3}, t.encode("aaaa"));
        // GPT-2 pre-tokenizer: " ab" is one word starting with the space byte (Ġ, not in this vocabulary: dropped).
        assertArrayEquals(new int[]{4}, t.encode(" ab"));
    }

    @Test
    void templatePostProcessorAddsTokens() {
        ObjectNode json = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        ObjectNode pp = json.putObject("post_processor");
        pp.put("type", "TemplateProcessing");
        ArrayNode single = pp.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<|im_start|>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "<|im_end|>").put("type_id", 0);
        pp.putObject("special_tokens").putObject("<|im_start|>").put("id", "<|im_start|>").putArray("ids").add(291);
        ((ObjectNode) pp.path("special_tokens")).putObject("<|im_end|>").put("id", "<|im_end|>").putArray("ids").add(292);
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.fromJson(json);
        int[] plain = t.encode("hi");
        int[] withSpecial = t.encode("hi", true);
        assertEquals(plain.length + 2, withSpecial.length);
        assertEquals(291, withSpecial[0]);
        assertEquals(292, withSpecial[withSpecial.length - 1]);
    }

    @Test
    void rejectsUnsupportedConfigurations() {
        ObjectNode badSplit = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        ((ObjectNode) badSplit.path("pre_tokenizer").path("pretokenizers").get(0).path("pattern")).put("Regex", "\\w+");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromJson(badSplit));
        assertTrue(e.getMessage().contains("Split"));

        ObjectNode badNorm = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        badNorm.putObject("normalizer").put("type", "Lowercase");
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromJson(badNorm));

        ObjectNode badMerge = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        ((ArrayNode) badMerge.path("model").path("merges")).add("zz qq");
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromJson(badMerge));

        ObjectNode wordPiece = Fixtures.truncatedAdded(Fixtures.tinyBase(), -1);
        ((ObjectNode) wordPiece.path("model")).put("type", "WordPiece");
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromJson(wordPiece));
    }

    @Test
    void decodeRejectsUnknownIds() {
        ByteLevelBpeTokenizer t = Fixtures.variant("tiny");
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{300}, false));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{-1}, true));
        assertThrows(IllegalArgumentException.class, () -> t.streamingDecoder(true).push(1000));
    }

    @Test
    void surrogatesAndTheLongSContraction() {
        ByteLevelBpeTokenizer t = Fixtures.variant("qwen25_internvl");
        // A lone surrogate cannot be UTF-8 encoded; it becomes U+FFFD, as the JDK's encoder would make it.
        assertEquals("a\uFFFDb", t.decode(t.encode("a\uD800b"), false));
        // Oniguruma folds ſ (U+017F) to s under (?i:), so "'ſ" is a contraction piece of its own (transformers.js
        // folds ASCII only and would give "'ſt").
        assertEquals(List.of("'ſ", "t"), t.preTokens("'ſt"));
        assertEquals("'ſt", t.decode(t.encode("'ſt"), false));
    }

    @Test
    void encodeIsFast() {
        ByteLevelBpeTokenizer t = Fixtures.variant("qwen25_internvl");
        StringBuilder sb = new StringBuilder();
        String[] words = {"the", "model", "sees", "图像", "4096", "tiles", "😀", "naïve", "x_i", "don't", "\n\n", "  "};
        java.util.Random r = new java.util.Random(7);
        while (sb.length() < 200_000) {
            sb.append(words[r.nextInt(words.length)]);
            if (r.nextInt(3) > 0) sb.append(' ');
            if (r.nextInt(40) == 0) sb.append(r.nextInt(100_000));
        }
        String text = sb.toString();
        int[] ids = t.encode(text); // warm-up and cache fill
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            ids = t.encode(text);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double tokPerSec = ids.length / (best / 1e9);
        System.out.printf("encode: %d chars -> %d tokens in %.1f ms (%.2f M tokens/s)%n",
                text.length(), ids.length, best / 1e6, tokPerSec / 1e6);
        assertEquals(text, t.decode(ids, false));
        // Generous bound for a loaded 2-core CI machine: 10k tokens must take well under 100 ms.
        assertTrue(tokPerSec > 100_000, "encode too slow: " + tokPerSec + " tokens/s");
    }
}
