package org.tessera.model.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.model.Fixtures.assertClose;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.ModelException;

/**
 * Incremental decoding equals recomputation, for each family on the shared decoder: logits from a prefill followed
 * by one-token decode steps match the logits of one forward pass over the whole sequence, position by position.
 * Both sides are float32 with different summation orders (the matrix kernel for many rows, the streaming
 * matrix-vector kernel for one), so they agree to ~1e-7 relative; 1e-5 leaves room while a wrong position, a stale
 * cache row, a misplaced fused block or a missing causal mask costs ≥ 1e-2. The Phi-3 model here has LongRoPE with
 * original_max_position_embeddings 4096, so every sequence in this class stays on the short factors (switching
 * factors mid-sequence is what the reference does too, and is tested in Phi3ParityTest).
 */
class DecoderCacheTest {
    static final double TOL = 1e-5;

    enum Family { QWEN2, INTERNLM2, PHI3 }

    @TempDir
    static Path tmp;
    static final Map<Family, LlmCheckpoint.Loaded> MODELS = new EnumMap<>(Family.class);

    @BeforeAll
    static void load() {
        for (Family f : Family.values()) {
            LlmCheckpoint.Spec s = new LlmCheckpoint.Spec();
            s.vocab = 4096;
            s.seed = 21 + f.ordinal();
            s.tie = false;
            s.writeHead = true;
            switch (f) {
                case QWEN2 -> s.arch = LlmCheckpoint.QWEN2;
                case INTERNLM2 -> {
                    s.arch = LlmCheckpoint.INTERNLM2;
                    s.heads = 8;
                    s.kvHeads = 2; // g = 4: four query blocks between each k/v pair of the fused rows
                    s.bias = true;
                }
                case PHI3 -> {
                    s.arch = LlmCheckpoint.PHI3;
                    s.maxPositions = 8192;
                    s.originalMaxPositions = 4096;
                    s.shortFactor = factors(8, 1.0, 1.3);
                    s.longFactor = factors(8, 1.0, 9.0);
                }
            }
            LlmCheckpoint.write(tmp.resolve(f.name()), s);
            MODELS.put(f, LlmCheckpoint.load(tmp.resolve(f.name()), false));
        }
    }

    static double[] factors(int n, double from, double to) {
        double[] f = new double[n];
        for (int i = 0; i < n; i++) f[i] = from + (to - from) * i / (n - 1);
        return f;
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(LlmCheckpoint.Loaded::close);
    }

    static DecoderModel llm(Family f) {
        return (DecoderModel) MODELS.get(f).model();
    }

    static int[] tokens(long seed, int n, int vocab) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void prefillThenDecodeEqualsFullForward(Family f) {
        DecoderModel llm = llm(f);
        int v = llm.vocabSize();
        int[] ids = tokens(1, 40, v);
        float[] full = llm.forward(llm.embed(ids), ids.length, llm.newCache());

        KVCache cache = llm.newCache(4); // small on purpose: decoding must grow it
        int prompt = 9;
        float[] last = llm.prefill(llm.embed(Arrays.copyOf(ids, prompt)), prompt, cache);
        float[] inc = new float[ids.length * v];
        System.arraycopy(last, 0, inc, (prompt - 1) * v, v);
        for (int t = prompt; t < ids.length; t++) System.arraycopy(llm.decode(ids[t], cache), 0, inc, t * v, v);
        assertEquals(ids.length, cache.length());
        float[] fullTail = Arrays.copyOfRange(full, (prompt - 1) * v, full.length);
        float[] incTail = Arrays.copyOfRange(inc, (prompt - 1) * v, inc.length);
        assertClose(f + ": decode vs full forward (40 tokens)", incTail, fullTail, TOL);
    }

    /**
     * prefill() skips the top layer's output for all but the last token (its keys and values still go to the cache):
     * a second prompt on a filled cache (a chat's next turn), then decoding, must see exactly the cache a full forward
     * pass builds, at every layer.
     */
    @ParameterizedTest
    @EnumSource(Family.class)
    void prefillOnAFilledCacheThenDecodeEqualsFullForward(Family f) {
        DecoderModel llm = llm(f);
        int v = llm.vocabSize();
        int[] ids = tokens(5, 32, v);
        float[] full = llm.forward(llm.embed(ids), ids.length, llm.newCache());
        KVCache cache = llm.newCache();
        llm.prefill(llm.embed(Arrays.copyOf(ids, 9)), 9, cache);
        float[] second = llm.prefill(llm.embed(Arrays.copyOfRange(ids, 9, 22)), 13, cache);
        assertClose(f + ": second prefill's last logits", second, Arrays.copyOfRange(full, 21 * v, 22 * v), TOL);
        for (int t = 22; t < ids.length; t++) {
            assertClose(f + ": decode at " + t + " after two prefills", llm.decode(ids[t], cache), Arrays.copyOfRange(full, t * v, (t + 1) * v), TOL);
        }
    }

    /** A prompt longer than one chunk (512) runs in chunks; one token at a time gives the same logits. */
    @ParameterizedTest
    @EnumSource(Family.class)
    void chunkedPrefillEqualsTokenByToken(Family f) {
        DecoderModel llm = llm(f);
        int v = llm.vocabSize();
        int[] ids = tokens(2, 1100, v);
        float[] full = llm.forward(llm.embed(ids), ids.length, llm.newCache(1));
        KVCache cache = llm.newCache(1);
        float[] inc = new float[ids.length * v];
        for (int t = 0; t < ids.length; t++) System.arraycopy(llm.decode(ids[t], cache), 0, inc, t * v, v);
        assertClose(f + ": 1100 tokens, chunked forward vs decode", inc, full, TOL);
        float[] lastOnly = llm.prefill(llm.embed(ids), ids.length, llm.newCache());
        assertClose(f + ": prefill() last logits", lastOnly, Arrays.copyOfRange(full, (ids.length - 1) * v, full.length), TOL);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void truncateAndContinue(Family f) {
        DecoderModel llm = llm(f);
        int v = llm.vocabSize();
        int[] ids = tokens(3, 20, v);
        KVCache cache = llm.newCache();
        float[] full = llm.forward(llm.embed(ids), ids.length, cache);
        cache.truncate(10);
        float[] again = llm.decode(ids[10], cache).clone();
        assertClose(f + ": decode after truncate(10)", again, Arrays.copyOfRange(full, 10 * v, 11 * v), TOL);
        assertEquals(11, cache.length());
    }

    /**
     * Decoding reuses the cache's buffers: once the cache has room, a step makes no new work buffers, cache arrays or
     * logits array (checked structurally; allocation counters would also count the JIT's not-yet-compiled vector code).
     */
    @ParameterizedTest
    @EnumSource(Family.class)
    void decodeReusesBuffers(Family f) {
        DecoderModel llm = llm(f);
        KVCache cache = llm.newCache(64);
        llm.prefill(llm.embed(tokens(4, 8, llm.vocabSize())), 8, cache);
        KVCache.Scratch scratch = cache.scratch;
        float[] k0 = cache.k[0], v1 = cache.v[1];
        float[] first = llm.decode(5, cache);
        for (int i = 0; i < 50; i++) assertSame(first, llm.decode(7 + i, cache));
        assertSame(scratch, cache.scratch);
        assertSame(k0, cache.k[0]);
        assertSame(v1, cache.v[1]);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void refusesBadTokensOverlongSequencesAndForeignCaches(Family f) {
        DecoderModel llm = llm(f);
        KVCache cache = llm.newCache();
        assertThrows(ModelException.class, () -> llm.decode(-1, cache));
        assertThrows(ModelException.class, () -> llm.decode(llm.vocabSize(), cache));
        int max = llm.maxPositions();
        ModelException e = assertThrows(ModelException.class,
                () -> llm.forward(new float[(max + 1) * llm.hiddenSize()], max + 1, llm.newCache()));
        assertTrue(e.getMessage().contains("max_position_embeddings " + max), e.getMessage());
        DecoderModel other = llm(Family.values()[(f.ordinal() + 1) % 3]);
        e = assertThrows(ModelException.class, () -> llm.decode(1, other.newCache()));
        assertTrue(e.getMessage().contains("use its newCache()"), e.getMessage());
    }
}
