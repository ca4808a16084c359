package org.tessera.model.phi3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.model.Fixtures.assertClose;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.Fixtures;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.llm.LanguageModel;

/**
 * Phi-3 against {@link ReferencePhi3} (double precision, written from the remote code) on small random checkpoints
 * in the public layout: {@code qkv_proj} assembled as [q; k; v] and {@code gate_up_proj} as [gate; up] from
 * separately drawn parts, LongRoPE with distinct short and long factors and a small
 * {@code original_max_position_embeddings} (16) so that both factor sets run.
 *
 * <p>Tolerance {@value #TOL} relative, argued as in InternLM2ParityTest (float32 rounding over two small layers,
 * measured ~1e-6). Using the short factors where the long ones belong, or the reverse, or dropping the magnitude
 * √(1 + ln 4 / ln 16) ≈ 1.22, changes the logits by far more (checked below for the factor choice).
 */
class Phi3ParityTest {
    static final double TOL = 2e-5;
    static final int ORIG = 16, MAX = 64;

    @TempDir
    Path tmp;

    /** 8 factors (head dim 16) rising from 1: short ones mild, long ones up to 12. */
    static LlmCheckpoint.Spec spec(long seed, boolean longRope) {
        LlmCheckpoint.Spec s = new LlmCheckpoint.Spec().arch(LlmCheckpoint.PHI3);
        s.hidden = 64;
        s.heads = 4;
        s.kvHeads = 4; // Phi-3-mini: no GQA
        s.inter = 96;
        s.tie = false;
        s.writeHead = true;
        s.seed = seed;
        s.maxPositions = MAX;
        s.originalMaxPositions = ORIG;
        if (longRope) {
            s.shortFactor = new double[] {1.0, 1.02, 1.05, 1.1, 1.2, 1.35, 1.5, 1.8};
            s.longFactor = new double[] {1.0, 1.3, 1.9, 2.8, 4.0, 6.0, 8.5, 12.0};
        }
        return s;
    }

    private record Setup(LlmCheckpoint.Loaded loaded, ReferencePhi3 ref) implements AutoCloseable {
        @Override
        public void close() { loaded.close(); }
    }

    private Setup setup(String name, LlmCheckpoint.Spec s) {
        Path dir = tmp.resolve(name);
        LlmCheckpoint.write(dir, s);
        LlmCheckpoint.Loaded m = LlmCheckpoint.load(dir, false);
        return new Setup(m, new ReferencePhi3(m.checkpoint(), LlmCheckpoint.PREFIX, LlmCheckpoint.config(s)));
    }

    static int[] ids(long seed, int n, int vocab) {
        return new Random(seed).ints(n, 0, vocab).toArray();
    }

    private static float[] forward(LanguageModel lm, int[] ids) {
        return lm.forward(lm.embed(ids), ids.length, lm.newCache());
    }

    @Test
    void plainRope() {
        try (Setup s = setup("plain", spec(41, false))) {
            int[] ids = ids(1, 21, 160);
            assertClose("phi3 plain rope logits", forward(s.loaded().model(), ids), flat(s.ref().logits(s.ref().embed(ids))), TOL);
        }
    }

    /** 12 tokens ≤ 16: the short factors, with the magnitude. */
    @Test
    void longRopeShortSequence() {
        try (Setup s = setup("short", spec(42, true))) {
            int[] ids = ids(2, 12, 160);
            assertFalse(s.ref().usesLongFactors(ids.length));
            assertClose("phi3 longrope, 12 tokens (short factors)", forward(s.loaded().model(), ids),
                    flat(s.ref().logits(s.ref().embed(ids))), TOL);
        }
    }

    /** 40 tokens &gt; 16: every position on the long factors (the reference's single forward call). */
    @Test
    void longRopeLongSequence() {
        try (Setup s = setup("long", spec(43, true))) {
            int[] ids = ids(3, 40, 160);
            assertTrue(s.ref().usesLongFactors(ids.length));
            double[][] want = s.ref().logits(s.ref().embed(ids));
            float[] got = forward(s.loaded().model(), ids);
            assertClose("phi3 longrope, 40 tokens (long factors)", got, flat(want), TOL);
            // The choice matters: the first 16 positions of the 40-token pass differ from a 16-token pass (short factors).
            float[] first16 = forward(s.loaded().model(), Arrays.copyOf(ids, 16));
            double diff = Fixtures.relError(first16, Arrays.copyOf(flat(want), 16 * 160));
            System.out.printf("phi3: first 16 positions, short vs long factors differ by %.3g%n", diff);
            assertTrue(diff > 1e-2, "short and long factors should give different logits, differ by " + diff);
        }
    }

    /**
     * A prompt within 16 tokens, then generation past it one token at a time: each decode call counts its own
     * sequence length, so steps from position 16 on rotate with the long factors while the prompt's cached keys keep
     * the short ones, exactly as the reference's forward calls with its cache do.
     */
    @Test
    void decodeAcrossTheSwitchMatchesTheReferenceCallByCall() {
        try (Setup s = setup("cross", spec(44, true))) {
            LanguageModel lm = s.loaded().model();
            int[] ids = ids(4, 26, 160);
            int prompt = 10, v = 160;
            LanguageModel.Cache cache = lm.newCache();
            float[] got = new float[(ids.length - prompt + 1) * v];
            System.arraycopy(lm.prefill(lm.embed(Arrays.copyOf(ids, prompt)), prompt, cache), 0, got, 0, v);
            for (int t = prompt; t < ids.length; t++) System.arraycopy(lm.decode(ids[t], cache), 0, got, (t - prompt + 1) * v, v);
            int[] calls = new int[1 + ids.length - prompt];
            calls[0] = prompt;
            Arrays.fill(calls, 1, calls.length, 1);
            double[][] want = s.ref().run(s.ref().embed(ids), calls);
            double[] tail = flat(Arrays.copyOfRange(want, prompt - 1, ids.length));
            assertClose("phi3 longrope, prefill 10 + decode to 26", got, tail, TOL);
            // ... and differs from one pass over all 26 tokens (long factors throughout) after the switch.
            double[][] single = s.ref().logits(s.ref().embed(ids));
            double after = Fixtures.relError(Arrays.copyOfRange(got, (20 - prompt + 1) * v, (21 - prompt + 1) * v),
                    Arrays.copyOfRange(flat(single), 20 * v, 21 * v));
            System.out.printf("phi3: position 20 after the switch, cached-short vs all-long keys differ by %.3g%n", after);
            assertTrue(after > 1e-3, "mixed and all-long rotations should differ, differ by " + after);
        }
    }

    /** A prompt already past 16 tokens stays on the long factors while decoding: cache equals recomputation. */
    @Test
    void longPromptThenDecodeEqualsFullForward() {
        try (Setup s = setup("longcache", spec(45, true))) {
            LanguageModel lm = s.loaded().model();
            int[] ids = ids(5, 30, 160);
            int v = 160, prompt = 20;
            float[] full = forward(lm, ids);
            LanguageModel.Cache cache = lm.newCache();
            lm.prefill(lm.embed(Arrays.copyOf(ids, prompt)), prompt, cache);
            float[] inc = new float[(ids.length - prompt) * v];
            for (int t = prompt; t < ids.length; t++) System.arraycopy(lm.decode(ids[t], cache), 0, inc, (t - prompt) * v, v);
            assertClose("phi3 long prompt: decode vs forward", inc, Arrays.copyOfRange(full, prompt * v, full.length), 1e-5);
        }
    }

    @Test
    void tablesAndMagnitude() {
        try (Setup s = setup("tables", spec(46, true))) {
            Phi3Model m = (Phi3Model) s.loaded().model();
            assertEquals(Math.sqrt(1 + Math.log(4.0) / Math.log(16.0)), m.longRope().magnitude(), 1e-7);
            assertSame(m.longRope().shortTable(), m.longRope().forSequenceLength(16));
            assertNotSame(m.longRope().shortTable(), m.longRope().forSequenceLength(17));
            assertEquals(MAX, m.longRope().forSequenceLength(17).maxPositions());
            assertEquals(ORIG, m.longRope().shortTable().maxPositions());
        }
    }

    static double[] flat(double[][] a) {
        int n = 0;
        for (double[] r : a) n += r.length;
        double[] out = new double[n];
        int i = 0;
        for (double[] r : a) for (double v : r) out[i++] = v;
        return out;
    }
}
