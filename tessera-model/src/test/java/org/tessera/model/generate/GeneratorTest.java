package org.tessera.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.model.Fixtures;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.text.Tokenizer;
import org.tessera.model.text.Tokenizers;

/** Generation on the golden internvl-tiny-a checkpoint, image included. */
class GeneratorTest {
    static InternVLModel model;
    static Tokenizer tokenizer;
    static Generator generator;
    static float[] prompt;
    static int promptTokens;
    static final int EOS = 292;

    @BeforeAll
    static void load() {
        model = InternVLModel.load(Fixtures.goldenDir());
        tokenizer = Tokenizers.loadDirectory(Fixtures.goldenDir());
        generator = new Generator(model, tokenizer);
        Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
        int tiles = pv.shape()[0];
        int[] ids = Fixtures.goldenIds();
        prompt = model.inputEmbeddings(ids, model.project(model.visionFeatures(pv.data(), tiles), tiles));
        promptTokens = ids.length;
    }

    @AfterAll
    static void close() {
        model.close();
    }

    record Streamed(Generator.Result result, List<String> pieces) {
        String joined() { return String.join("", pieces); }
    }

    static Streamed run(GenerationConfig cfg) {
        List<String> pieces = new ArrayList<>();
        Generator.Result r = generator.generate(prompt, promptTokens, model.language().newCache(), cfg, pieces::add);
        return new Streamed(r, pieces);
    }

    @Test
    void greedyWithCacheEqualsArgmaxOfFullRecomputation() {
        int steps = 24;
        Generator.Result r = run(GenerationConfig.greedy(steps)).result();
        assertEquals(steps, r.tokens().length);
        assertEquals(Generator.StopReason.MAX_TOKENS, r.stopReason());
        LanguageModel lm = model.language();
        int d = lm.hiddenSize(), vocab = lm.vocabSize();
        for (int i = 0; i < steps; i++) {
            // The whole sequence from scratch, in a fresh cache: prompt embeddings then the tokens chosen so far.
            int n = promptTokens + i;
            float[] x = Arrays.copyOf(prompt, n * d);
            if (i > 0) System.arraycopy(lm.embed(Arrays.copyOf(r.tokens(), i)), 0, x, promptTokens * d, i * d);
            float[] logits = lm.forward(x, n, lm.newCache(n));
            int best = Sampler.argmax(Arrays.copyOfRange(logits, (n - 1) * vocab, n * vocab), vocab);
            assertEquals(best, r.tokens()[i], "step " + i + " of " + Arrays.toString(r.tokens()));
        }
        assertEquals(promptTokens, r.promptTokens());
        assertTrue(r.prefillNanos() > 0 && r.decodeNanos() > 0);
    }

    @Test
    void streamedTextIsTheDecodedText() {
        Streamed s = run(GenerationConfig.greedy(40));
        assertEquals(tokenizer.decode(s.result().tokens(), true), s.result().text());
        assertEquals(s.result().text(), s.joined());
    }

    @Test
    void stopTokenEndsGenerationAndStaysOutOfTheText() {
        int[] free = run(GenerationConfig.greedy(40)).result().tokens();
        int j = 5;
        int stop = free[j];
        int first = 0;
        while (free[first] != stop) first++;
        Streamed s = run(GenerationConfig.greedy(40, stop));
        assertEquals(Generator.StopReason.STOP_TOKEN, s.result().stopReason());
        assertArrayEquals(Arrays.copyOf(free, first + 1), s.result().tokens());
        assertEquals(tokenizer.decode(Arrays.copyOf(free, first), true), s.result().text());
        assertEquals(s.result().text(), s.joined());
    }

    @Test
    void maxNewTokensIsHonoured() {
        int[] free = run(GenerationConfig.greedy(40)).result().tokens();
        for (int n : new int[] {1, 2, 7}) {
            Generator.Result r = run(GenerationConfig.greedy(n)).result();
            assertEquals(Generator.StopReason.MAX_TOKENS, r.stopReason());
            assertArrayEquals(Arrays.copyOf(free, n), r.tokens());
        }
    }

    @Test
    void stopStringCutsTheTextAndIsNeverStreamed() {
        String full = run(GenerationConfig.greedy(40)).result().text();
        assertTrue(full.length() >= 8, "the tiny model should produce some text, got \"" + full + "\"");
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        int at = full.indexOf(stop);
        Streamed s = run(GenerationConfig.greedy(40).withStopStrings(List.of("never appears \u0000", stop)));
        assertEquals(Generator.StopReason.STOP_STRING, s.result().stopReason());
        assertEquals(full.substring(0, at), s.result().text());
        assertEquals(s.result().text(), s.joined());
        for (String p : s.pieces()) assertFalse(p.contains(stop));
        assertTrue(s.result().tokens().length < 40);
    }

    @Test
    void heldBackPrefixOfAStopStringIsReleasedAtTheEnd() {
        // A stop string that the text only starts to spell: its prefix is held back while it might complete,
        // then emitted when generation ends for another reason.
        String full = run(GenerationConfig.greedy(40)).result().text();
        String tail = full.substring(full.length() - 2);
        Streamed s = run(GenerationConfig.greedy(40).withStopStrings(List.of(tail + "\u0001never")));
        assertEquals(Generator.StopReason.MAX_TOKENS, s.result().stopReason());
        assertEquals(full, s.result().text());
        assertEquals(full, s.joined());
    }

    @Test
    void stopTextSplitsAcrossPieces() {
        List<String> out = new ArrayList<>();
        Generator.StopText t = new Generator.StopText(List.of("<|end|>"), out::add);
        assertFalse(t.append("Hello <|"));
        assertEquals(List.of("Hello "), out);
        assertFalse(t.append("en"));
        assertTrue(t.append("d|> more"));
        t.finish();
        assertEquals("Hello ", t.text());
        assertEquals(List.of("Hello "), out);
    }

    @Test
    void samplingIsReproducibleBySeed() {
        GenerationConfig c = GenerationConfig.sampling(20, 1.5, 99).withTopK(40).withTopP(0.95).withRepetitionPenalty(1.3);
        assertArrayEquals(run(c).result().tokens(), run(c).result().tokens());
    }

    @Test
    void textOnlyPromptByIds() {
        int[] ids = tokenizer.encode("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n");
        LanguageModel.Cache cache = model.language().newCache();
        Generator.Result r = generator.generate(ids, cache, GenerationConfig.greedy(6, EOS), null);
        assertTrue(r.tokens().length >= 1 && r.tokens().length <= 6);
        // Everything but the last generated token went through the cache.
        assertEquals(ids.length + r.tokens().length - 1, cache.length());
    }
}
