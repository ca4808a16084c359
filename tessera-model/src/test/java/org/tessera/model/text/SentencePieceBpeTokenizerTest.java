package org.tessera.model.text;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SentencePiece BPE on models written by the tests. Every expected value below is derived by hand from the rules of
 * sentencepiece's {@code bpe_model.cc}, {@code normalizer.cc}, {@code sentencepiece_processor.cc} and transformers'
 * InternLM2Tokenizer (see the class comment of {@link SentencePieceBpeTokenizer}); no real InternLM2
 * {@code tokenizer.model} is available, so these tests pin the algorithm, not InternLM2's vocabulary.
 */
class SentencePieceBpeTokenizerTest {

    private static final String S = "\u2581"; // ▁

    /** Single characters as pieces with low scores (never merge results), after the standard head. */
    private static SpModelWriter withChars(String chars) {
        SpModelWriter w = new SpModelWriter().standardHead();
        int k = 0;
        for (int cp : chars.codePoints().toArray()) w.normal(new String(Character.toChars(cp)), -1000 - k++);
        return w;
    }

    private static SentencePieceBpeTokenizer plain(SpModelWriter w) {
        return SentencePieceBpeTokenizer.builder(w.model()).addBos(false).build();
    }

    private static List<String> pieces(SentencePieceBpeTokenizer t, String text) {
        return t.encodeAsPieces(text);
    }

    // ---- the BPE rules -----------------------------------------------------------------------------------------

    @Test
    void highestScoreMergesFirst() {
        SpModelWriter w = withChars("abc");
        w.addDummyPrefix = false;
        w.normal("ab", -2).normal("bc", -1);
        assertEquals(List.of("a", "bc"), pieces(plain(w), "abc"));

        SpModelWriter w2 = withChars("abc");
        w2.addDummyPrefix = false;
        w2.normal("ab", -1).normal("bc", -2);
        assertEquals(List.of("ab", "c"), pieces(plain(w2), "abc"));
    }

    @Test
    void equalScoresMergeLeftmostFirst() {
        SpModelWriter w = withChars("a");
        w.addDummyPrefix = false;
        w.normal("aa", -1);
        assertEquals(List.of("aa", "a"), pieces(plain(w), "aaa"));
        assertEquals(List.of("aa", "aa", "a"), pieces(plain(w), "aaaaa"));
    }

    @Test
    void aMergeCanBlockALaterBetterLookingPiece() {
        // "cd" (-2) beats "ab" (-3); once c is inside cd, "abc" (-1, higher than both) can never form: BPE only ever
        // looks at pairs of current symbols.
        SpModelWriter w = withChars("abcd");
        w.addDummyPrefix = false;
        w.normal("ab", -3).normal("cd", -2).normal("abc", -1);
        assertEquals(List.of("ab", "cd"), pieces(plain(w), "abcd"));
        assertEquals(List.of("abc"), pieces(plain(w), "abc"));
    }

    @Test
    void unusedPiecesAreSplitBack() {
        SpModelWriter w = withChars("xyz");
        w.addDummyPrefix = false;
        w.piece("xy", -1, SpModelWriter.UNUSED).normal("xyz", -2);
        SentencePieceBpeTokenizer t = plain(w);
        assertEquals(List.of("xyz"), pieces(t, "xyz"));       // the unused piece is a step on the way
        assertEquals(List.of("x", "y"), pieces(t, "xy"));     // but never an output
        assertEquals(List.of("x", "y", "x"), pieces(t, "xyx"));
    }

    @Test
    void byteFallbackForUnknownCharacters() {
        SpModelWriter w = withChars("ab");
        w.addDummyPrefix = false;
        SentencePieceBpeTokenizer t = plain(w);
        // 中 = E4 B8 AD; byte piece <0xNN> has id 3 + NN in the standard head.
        assertArrayEquals(new int[]{259, 3 + 0xE4, 3 + 0xB8, 3 + 0xAD, 260}, t.encode("a中b"));
        // 😀 = F0 9F 98 80 (one symbol: a code point, not a UTF-16 unit)
        assertArrayEquals(new int[]{3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80}, t.encode("😀"));
        assertEquals("a中b😀", t.decode(t.encode("a中b😀"), false));
    }

    @Test
    void unknownWithoutByteFallback() {
        SpModelWriter w = new SpModelWriter();
        w.byteFallback = false;
        w.addDummyPrefix = false;
        w.piece("<unk>", 0, SpModelWriter.UNKNOWN).piece("<s>", 0, SpModelWriter.CONTROL).piece("</s>", 0, SpModelWriter.CONTROL);
        w.normal("a", -1).normal("b", -2).normal("ab", -0.5f);
        SentencePieceBpeTokenizer t = plain(w);
        assertArrayEquals(new int[]{5, 0, 3}, t.encode("abxa"));
        assertEquals("ab \u2047 a", t.decode(new int[]{5, 0, 3}, false)); // unk surface " ⁇ " when not registered
    }

    @Test
    void userDefinedSymbolsAreFrozen() {
        SpModelWriter w = withChars("ab<>|");
        w.addDummyPrefix = false;
        w.piece("<|x|>", 0, SpModelWriter.USER_DEFINED).normal("a<", -1).normal("b<", -1);
        SentencePieceBpeTokenizer t = plain(w);
        // "a<" cannot form (the "<" is inside the frozen symbol); "b<" can.
        assertEquals(List.of("a", "<|x|>", "b<"), pieces(t, "a<|x|>b<"));
    }

    // ---- normalizer flags --------------------------------------------------------------------------------------

    @Test
    void defaultsAddDummyPrefixAndRemoveExtraWhitespace() {
        SpModelWriter w = withChars(S + "ab");
        w.normal(S + "a", -1);
        SentencePieceBpeTokenizer t = plain(w); // flags left out: proto2 defaults are true
        assertTrue(t.model().normalizer().addDummyPrefix());
        assertTrue(t.model().normalizer().removeExtraWhitespaces());
        assertEquals(S + "a" + S + "b", t.normalize("  a   b  "));
        assertEquals(List.of(S + "a", S, "b"), pieces(t, "  a   b  "));
        assertEquals("", t.normalize("   "));
        assertEquals(0, t.encode("").length);
        assertEquals(0, t.encode("    ").length);
        // Decoding drops the dummy prefix of the first piece.
        assertEquals("a b", t.decode(t.encode("a b"), false));
    }

    @Test
    void internLm2StyleFlagsKeepWhitespace() {
        SpModelWriter w = withChars(S + "ab\n\t");
        w.addDummyPrefix = false;
        w.removeExtraWhitespaces = false;
        w.normal(S + S, -1);
        SentencePieceBpeTokenizer t = plain(w);
        assertEquals(S + "a" + S + S + S + "b" + S, t.normalize(" a   b "));
        assertEquals(List.of(S, "a", S + S, S, "b", S), pieces(t, " a   b "));
        assertEquals("\n\ta", t.normalize("\n\ta"));      // only ' ' is escaped
        assertEquals(" a   b ", t.decode(t.encode(" a   b "), false)); // nothing stripped on decode either
    }

    @Test
    void escapeWhitespacesOff() {
        SpModelWriter w = withChars(" ab");
        w.addDummyPrefix = true;
        w.removeExtraWhitespaces = false;
        w.escapeWhitespaces = false;
        SentencePieceBpeTokenizer t = plain(w);
        assertEquals(" a b", t.normalize("a b"));
    }

    // ---- decoding ----------------------------------------------------------------------------------------------

    @Test
    void byteRunsDecodePerByte() {
        SpModelWriter w = withChars("ab");
        w.addDummyPrefix = false;
        SentencePieceBpeTokenizer t = plain(w);
        int a = 259, b = 260;
        // E4 B8 AD = 中 ; a truncated E4 B8 before 'b' costs two U+FFFD (one per byte), not one.
        assertEquals("中", t.decode(new int[]{3 + 0xE4, 3 + 0xB8, 3 + 0xAD}, false));
        assertEquals("\uFFFD\uFFFDb", t.decode(new int[]{3 + 0xE4, 3 + 0xB8, b}, false));
        // A non-byte piece ends the run: the bytes do not join across it.
        assertEquals("\uFFFDa\uFFFD\uFFFD", t.decode(new int[]{3 + 0xE4, a, 3 + 0xB8, 3 + 0xAD}, false));
        // Control pieces (<s> here, not registered as an added token) give nothing but still end the run.
        assertEquals("\uFFFD\uFFFD", t.decode(new int[]{3 + 0xC3, 1, 3 + 0xA9}, false));
        assertEquals("é", t.decode(new int[]{3 + 0xC3, 3 + 0xA9}, false));
    }

    @Test
    void invalidIdsAreRejected() {
        SentencePieceBpeTokenizer t = plain(withChars("a"));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{-1}, false));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{10_000}, false));
        assertThrows(IllegalArgumentException.class, () -> t.streamingDecoder(false).push(10_000));
    }

    @Test
    void cleanUpTokenizationMatchesTransformersChain() {
        assertEquals("Hello, world.", SentencePieceBpeTokenizer.cleanUpTokenization("Hello , world ."));
        assertEquals("I don't know, it's 'ok'?!", SentencePieceBpeTokenizer.cleanUpTokenization("I do n't know , it 's 'ok' ? !"));
        assertEquals("a'b", SentencePieceBpeTokenizer.cleanUpTokenization("a ' b"));
        // The chain is sequential: " ' " goes first, so " n ' t" becomes " n't" and then "n't".
        assertEquals("don't", SentencePieceBpeTokenizer.cleanUpTokenization("do n ' t"));
        // Leftmost, non-overlapping, one pass per pattern: "  ." keeps one space.
        assertEquals(" .", SentencePieceBpeTokenizer.cleanUpTokenization("  ."));
    }

    // ---- the InternLM2 layout: added tokens over pieces, InternVL tokens, <s> ------------------------------------

    /** A miniature of InternLM2's vocabulary layout (ids 0..2 specials, bytes, pieces, [UNUSED_TOKEN_x] at the end). */
    static SpModelWriter internLm2Like() {
        SpModelWriter w = withChars(S + "Helowrdusi\n,.'tnmhcx");
        w.addDummyPrefix = false;
        w.removeExtraWhitespaces = false;
        w.normal("ll", -1).normal(S + "H", -2).normal("ell", -3).normal(S + "Hell", -4).normal(S + "Hello", -5);
        w.normal(S + "w", -6).normal("or", -7).normal(S + "wor", -8).normal("ld", -9).normal(S + "world", -10);
        w.normal(S + ",", -11).normal(S + ".", -12).normal("us", -13).normal("er", -14).normal("user", -15);
        w.normal(S + "'", -16).normal("[UNUSED_TOKEN_145]", 0).normal("[UNUSED_TOKEN_146]", 0);
        return w;
    }

    static final List<String> INTERNVL_TOKENS = List.of("<img>", "</img>", "<IMG_CONTEXT>", "<quad>", "</quad>",
            "<ref>", "</ref>", "<box>", "</box>");

    /** Writes a tokenizer directory the way an InternVL2-2B checkpoint ships one. */
    static Path writeInternLm2Dir(Path dir) throws Exception {
        byte[] model = internLm2Like().build();
        SentencePieceModel m = SentencePieceModel.parse(model);
        int n = m.pieces().size();
        Files.write(dir.resolve("tokenizer.model"), model);
        int imEnd = n - 2, imStart = n - 1;
        StringBuilder dec = new StringBuilder();
        dec.append("\"").append(imEnd).append("\": {\"content\": \"<|im_end|>\", \"lstrip\": false, \"normalized\": false, \"rstrip\": false, \"single_word\": false, \"special\": true},");
        dec.append("\"").append(imStart).append("\": {\"content\": \"<|im_start|>\", \"lstrip\": false, \"normalized\": false, \"rstrip\": false, \"single_word\": false, \"special\": true}");
        for (int i = 0; i < INTERNVL_TOKENS.size(); i++) {
            dec.append(",\"").append(n + i).append("\": {\"content\": \"").append(INTERNVL_TOKENS.get(i))
                    .append("\", \"lstrip\": false, \"normalized\": false, \"rstrip\": false, \"single_word\": false, \"special\": true}");
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"added_tokens_decoder\": {" + dec + "},"
                + "\"auto_map\": {\"AutoTokenizer\": [\"tokenization_internlm2.InternLM2Tokenizer\", null]},"
                + "\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"pad_token\": \"</s>\", \"unk_token\": \"<unk>\","
                + "\"clean_up_tokenization_spaces\": false, \"tokenizer_class\": \"InternLM2Tokenizer\"}");
        StringBuilder added = new StringBuilder("{");
        for (int i = 0; i < INTERNVL_TOKENS.size(); i++) {
            if (i > 0) added.append(',');
            added.append('"').append(INTERNVL_TOKENS.get(i)).append("\": ").append(n + i);
        }
        Files.writeString(dir.resolve("added_tokens.json"), added.append('}').toString());
        return dir;
    }

    @Test
    void internLm2LayoutFromDirectory(@TempDir Path dir) throws Exception {
        SentencePieceBpeTokenizer t = SentencePieceBpeTokenizer.loadDirectory(writeInternLm2Dir(dir));
        int n = t.model().pieces().size();
        int imEnd = n - 2, imStart = n - 1, img = n, imgEnd = n + 1, ctx = n + 2;
        assertEquals(n + 9, t.vocabSize());
        assertEquals(imStart, t.tokenId("<|im_start|>"));
        assertEquals(imEnd, t.tokenId("<|im_end|>"));
        assertEquals(ctx, t.tokenId("<IMG_CONTEXT>"));
        assertEquals(-1, t.tokenId("<nope>"));
        assertEquals("<|im_start|>", t.token(imStart));   // the added token overrides the [UNUSED_TOKEN_146] piece
        assertArrayEquals(new int[]{1}, t.prefixTokens());
        assertTrue(t.isSpecial(1) && t.isSpecial(0) && t.isSpecial(ctx) && t.isSpecial(imEnd));
        assertFalse(t.isSpecial(t.tokenId("user")));

        int user = t.tokenId("user"), nl = t.tokenId("\n");
        int[] ids = t.encode("<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\n Hello world<|im_end|>", true);
        int[] expected = {1, imStart, user, nl, img, ctx, ctx, imgEnd, nl, t.tokenId(S + "Hello"), t.tokenId(S + "world"), imEnd};
        assertArrayEquals(expected, ids);
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, 1, expected.length),
                t.encode("<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\n Hello world<|im_end|>"));
        // The bos/eos strings are registered as added tokens, as transformers does, so "<s>" in text is id 1.
        assertArrayEquals(new int[]{1, t.tokenId("u")}, t.encode("<s>u"));

        assertEquals("<s><|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\n Hello world<|im_end|>", t.decode(ids, false));
        assertEquals("user\n\n Hello world", t.decode(ids, true));
        ChatTemplate tpl = ChatTemplate.INTERNLM2_CHAT;
        assertEquals(imEnd, tpl.stopTokenId(t));
    }

    @Test
    void internLm2DecodeCleansUpTokenizationSpaces(@TempDir Path dir) throws Exception {
        SentencePieceBpeTokenizer t = SentencePieceBpeTokenizer.loadDirectory(writeInternLm2Dir(dir));
        int[] ids = t.encode(" Hello , world .");
        assertEquals(List.of(S + "Hello", S + ",", S + "world", S + "."), toPieces(t, ids));
        // InternLM2Tokenizer.convert_tokens_to_string always applies clean_up_tokenization.
        assertEquals(" Hello, world.", t.decode(ids, true));
        SentencePieceBpeTokenizer raw = SentencePieceBpeTokenizer.builder(t.model()).build();
        assertEquals(" Hello , world .", raw.decode(ids, true));
        assertStreaming(t, ids);
    }

    private static List<String> toPieces(Tokenizer t, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) out.add(t.token(id));
        return out;
    }

    // ---- streaming ---------------------------------------------------------------------------------------------

    static void assertStreaming(Tokenizer t, int[] ids) {
        for (boolean skip : new boolean[]{false, true}) {
            ByteLevelBpeParityTest.assertStreamingMatches(t, ids, skip);
        }
    }

    @Test
    void streamingMatchesDecodeOnHandPickedSequences(@TempDir Path dir) throws Exception {
        SentencePieceBpeTokenizer t = SentencePieceBpeTokenizer.loadDirectory(writeInternLm2Dir(dir));
        int e4 = 3 + 0xE4, b8 = 3 + 0xB8, ad = 3 + 0xAD;
        int comma = t.tokenId(S + ","), dot = t.tokenId(S + "."), hello = t.tokenId(S + "Hello");
        int apos = t.tokenId(S + "'"), tt = t.tokenId("t"), nn = t.tokenId("n"), sp = t.tokenId(S);
        int[][] cases = {
                {e4, b8, ad, hello, comma, sp, dot},
                {e4, 1, b8, ad, comma},                  // <s> between byte pieces: skipped, the bytes join
                {hello, sp, nn, apos, sp, tt, dot},       // " n ' t" cleans up across tokens
                {sp, sp, dot, e4, e4, b8, hello, 0, comma},
                {t.tokenId("<|im_start|>"), sp, hello, t.tokenId("<IMG_CONTEXT>"), comma, t.tokenId("<|im_end|>")},
        };
        for (int[] ids : cases) assertStreaming(t, ids);
        assertEquals("中", t.decode(new int[]{e4, 1, b8, ad}, true));
        assertEquals("\uFFFD<s>\uFFFD\uFFFD", t.decode(new int[]{e4, 1, b8, ad}, false));
    }

    @Provide
    Arbitrary<int[]> idSequences() {
        SentencePieceBpeTokenizer t = streamingTokenizer();
        return Arbitraries.integers().between(0, t.vocabSize() - 1).array(int[].class).ofMaxSize(24);
    }

    private static SentencePieceBpeTokenizer streamingTok;

    private static synchronized SentencePieceBpeTokenizer streamingTokenizer() {
        if (streamingTok == null) {
            try {
                Path dir = Files.createTempDirectory("sp-stream");
                streamingTok = SentencePieceBpeTokenizer.loadDirectory(writeInternLm2Dir(dir));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }
        return streamingTok;
    }

    @Property(tries = 300)
    void streamingEqualsDecodeForRandomIds(@ForAll("idSequences") int[] ids) {
        SentencePieceBpeTokenizer t = streamingTokenizer();
        for (boolean skip : new boolean[]{false, true}) {
            StreamingDecoder d = t.streamingDecoder(skip);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(d.push(id));
            sb.append(d.flush());
            assertEquals(t.decode(ids, skip), sb.toString());
        }
    }

    @Property(tries = 300)
    void encodeDecodeRoundTripsOnInternLm2Flags(@ForAll("texts") String text) {
        // With add_dummy_prefix and remove_extra_whitespaces off, byte fallback and no clean-up, decode inverts encode.
        SentencePieceBpeTokenizer t = SentencePieceBpeTokenizer.builder(streamingTokenizer().model()).build();
        assertEquals(text, t.decode(t.encode(text), false));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("Helo wrd,.'\n\t中é" + S).ofMaxLength(30)
                .filter(s -> !s.contains(S)); // a literal ▁ would come back as a space
    }

    // ---- loading errors ----------------------------------------------------------------------------------------

    @Test
    void rejectsWhatItCannotDoFaithfully() {
        SpModelWriter unigram = withChars("a");
        unigram.modelType = 1;
        assertThrows(IllegalArgumentException.class, () -> plain(unigram));

        SpModelWriter charsmap = withChars("a");
        charsmap.normalizerName = "nmt_nfkc";
        charsmap.charsmap = new byte[]{4, 0, 0, 0, 1, 2, 3, 4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain(charsmap));
        assertTrue(e.getMessage().contains("nmt_nfkc"));

        SpModelWriter noUnk = new SpModelWriter();
        noUnk.byteFallback = false;
        noUnk.normal("a", 0);
        assertThrows(IllegalArgumentException.class, () -> plain(noUnk));

        SpModelWriter dup = withChars("a");
        dup.normal("a", -5);
        assertThrows(IllegalArgumentException.class, () -> plain(dup));

        SpModelWriter bytesNoFallback = withChars("a");
        bytesNoFallback.byteFallback = false;
        assertThrows(IllegalArgumentException.class, () -> plain(bytesNoFallback));

        byte[] good = withChars("a").build();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThrows(IllegalArgumentException.class, () -> SentencePieceModel.parse(truncated));
    }

    @Test
    void parserReadsFieldsAndSkipsUnknownOnes() {
        SpModelWriter w = withChars("a");
        w.unkId = 0;
        w.bosId = 1;
        w.eosId = 2;
        SentencePieceModel m = w.model();
        assertEquals(260, m.pieces().size());
        assertEquals(SentencePieceModel.Type.BYTE, m.pieces().get(3).type());
        assertEquals("<0x00>", m.pieces().get(3).piece());
        assertEquals(-1000f, m.pieces().get(259).score());
        assertEquals(SentencePieceModel.BPE, m.trainer().modelType());
        assertTrue(m.trainer().byteFallback());
        assertEquals(1, m.trainer().bosId());
        assertEquals("identity", m.normalizer().name());
    }
}
