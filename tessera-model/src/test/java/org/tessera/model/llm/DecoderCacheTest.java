package org.tessera.model.qwen2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.model.Fixtures.assertClose;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.ModelException;
import org.tessera.model.TinyCheckpoint;
import org.tessera.model.internvl.InternVLModel;

/**
 * Incremental decoding equals recomputation: logits from a prefill followed by one-token decode steps match the
 * logits of one forward pass over the whole sequence, position by position. Both sides are float32 with different
 * summation orders (the matrix kernel for many rows, the streaming matrix-vector kernel for one), so they agree to
 * ~1e-7 relative; 1e-5 leaves room while a wrong position, a stale cache row or a missing causal mask costs ≥ 1e-2.
 */
class KVCacheTest {
    static final double TOL = 1e-5;

    @TempDir
    static Path tmp;
    static InternVLModel model;
    static Qwen2Model llm;

    @BeforeAll
    static void load() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.vocab = 4096;
        s.seed = 21;
        model = InternVLModel.load(TinyCheckpoint.write(tmp.resolve("m"), s));
        llm = model.language();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] tokens(long seed, int n) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(llm.config().vocabSize());
        return ids;
    }

    @Test
    void prefillThenDecodeEqualsFullForward() {
        int[] ids = tokens(1, 40);
        int v = llm.config().vocabSize();
        float[] full = llm.forward(llm.embed(ids), ids.length, llm.newCache());

        KVCache cache = llm.newCache(4); // small on purpose: decoding must grow it
        int prompt = 9;
        float[] last = llm.prefill(llm.embed(Arrays.copyOf(ids, prompt)), prompt, cache);
        float[] inc = new float[ids.length * v];
        System.arraycopy(last, 0, inc, (prompt - 1) * v, v);
        for (int t = prompt; t < ids.length; t++) {
            float[] logits = llm.decode(ids[t], cache);
            System.arraycopy(logits, 0, inc, t * v, v);
        }
        assertEquals(ids.length, cache.length());
        float[] fullTail = Arrays.copyOfRange(full, (prompt - 1) * v, full.length);
        float[] incTail = Arrays.copyOfRange(inc, (prompt - 1) * v, inc.length);
        assertClose("decode vs full forward (40 tokens)", incTail, fullTail, TOL);
    }

    /** A prompt longer than one chunk (512) runs in chunks; one token at a time gives the same logits. */
    @Test
    void chunkedPrefillEqualsTokenByToken() {
        int[] ids = tokens(2, 1100);
        int v = llm.config().vocabSize();
        float[] full = llm.forward(llm.embed(ids), ids.length, llm.newCache(1));
        KVCache cache = llm.newCache(1);
        float[] inc = new float[ids.length * v];
        for (int t = 0; t < ids.length; t++) System.arraycopy(llm.decode(ids[t], cache), 0, inc, t * v, v);
        assertClose("1100 tokens: chunked forward vs decode", inc, full, TOL);
        float[] lastOnly = llm.prefill(llm.embed(ids), ids.length, llm.newCache());
        assertClose("prefill() last logits", lastOnly, Arrays.copyOfRange(full, (ids.length - 1) * v, full.length), TOL);
    }

    @Test
    void truncateAndContinue() {
        int[] ids = tokens(3, 20);
        int v = llm.config().vocabSize();
        KVCache cache = llm.newCache();
        float[] full = llm.forward(llm.embed(ids), ids.length, cache);
        cache.truncate(10);
        float[] again = llm.decode(ids[10], cache).clone();
        assertClose("decode after truncate(10)", again, Arrays.copyOfRange(full, 10 * v, 11 * v), TOL);
        assertEquals(11, cache.length());
    }

    /**
     * Decoding reuses the cache's buffers: once the cache has room, a step makes no new work buffers, cache arrays or
     * logits array (checked structurally; allocation counters would also count the JIT's not-yet-compiled vector code).
     */
    @Test
    void decodeReusesBuffers() {
        KVCache cache = llm.newCache(64);
        llm.prefill(llm.embed(tokens(4, 8)), 8, cache);
        KVCache.Scratch scratch = cache.scratch;
        float[] k0 = cache.k[0], v1 = cache.v[1];
        float[] first = llm.decode(5, cache);
        for (int i = 0; i < 50; i++) assertSame(first, llm.decode(7 + i, cache));
        assertSame(scratch, cache.scratch);
        assertSame(k0, cache.k[0]);
        assertSame(v1, cache.v[1]);
    }

    @Test
    void refusesBadTokensAndOverlongSequences() {
        KVCache cache = llm.newCache();
        assertThrows(ModelException.class, () -> llm.decode(-1, cache));
        assertThrows(ModelException.class, () -> llm.decode(llm.config().vocabSize(), cache));
        int max = llm.config().maxPositions();
        ModelException e = assertThrows(ModelException.class,
                () -> llm.forward(new float[(max + 1) * llm.config().hiddenSize()], max + 1, llm.newCache()));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
    }
}
