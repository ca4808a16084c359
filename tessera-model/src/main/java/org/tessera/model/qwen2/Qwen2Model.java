package org.tessera.model.qwen2;

import org.tessera.core.kernels.Attention;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.MatVec;
import org.tessera.core.kernels.Norms;
import org.tessera.core.kernels.Rope;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.ModelException;
import org.tessera.model.RowOps;
import org.tessera.model.llm.LanguageModel;

/**
 * The Qwen2 / Qwen2.5 decoder ({@code Qwen2ForCausalLM}), float32 compute on the stored weights.
 *
 * <pre>
 * per layer:  a = rms_norm(x)
 *             q = a·Wqᵀ + bq, k = a·Wkᵀ + bk, v = a·Wvᵀ + bv      (GQA: fewer k/v heads than q heads)
 *             rotate-half RoPE on q and k at their absolute positions (θ = rope_theta)
 *             x = x + o_proj(causal softmax(q·kᵀ/√d)·v)            (keys: cache + this call's tokens)
 *             x = x + down(silu(gate(rms_norm(x))) · up(rms_norm(x)))
 * logits = rms_norm(x)·headᵀ
 * </pre>
 * Entry points take embeddings ({@code inputs_embeds}) so the caller can replace rows (image embeddings), or token
 * ids; each call appends its tokens to a {@link KVCache}, so a prompt (prefill) and then one token at a time
 * (decode) give the logits a single pass over the whole sequence would. Long prompts run in chunks of
 * {@value #CHUNK} tokens: the projections stay large matrix products while the work buffers stay bounded.
 *
 * <p>Thread-safe across caches: all mutable state lives in the cache passed in.
 */
public final class Qwen2Model implements LanguageModel {
    /** Tokens per forward step of a long prompt. */
    static final int CHUNK = 512;

    private final Qwen2Config cfg;
    private final Qwen2Weights w;
    private final Rope rope;

    public Qwen2Model(Qwen2Config cfg, Qwen2Weights w) {
        this.cfg = cfg;
        this.w = w;
        this.rope = new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.maxPositions());
    }

    public Qwen2Config config() { return cfg; }

    public Qwen2Weights weights() { return w; }

    @Override public int vocabSize() { return cfg.vocabSize(); }

    @Override public int hiddenSize() { return cfg.hiddenSize(); }

    @Override public int maxPositions() { return cfg.maxPositions(); }

    @Override
    public KVCache newCache() {
        return newCache(256);
    }

    @Override
    public KVCache newCache(int positions) {
        return new KVCache(cfg.numLayers(), cfg.kvDim(), cfg.maxPositions(), positions);
    }

    @Override
    public void embed(int[] ids, float[] out, int off) {
        int d = cfg.hiddenSize();
        for (int i = 0; i < ids.length; i++) {
            checkToken(ids[i]);
            w.embedTokens().decodeRow(ids[i], out, off + i * d);
        }
    }

    private void checkToken(int id) {
        if (id < 0 || id >= cfg.vocabSize()) throw new ModelException("token id " + id + " is outside the vocabulary [0, " + cfg.vocabSize() + ")");
    }

    /**
     * Appends {@code tokens} positions given as embeddings {@code [tokens, hidden]} and returns the logits of every
     * one of them, {@code [tokens, vocab]} (a new array).
     */
    @Override
    public float[] forward(float[] embeds, int tokens, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c);
        checkInput(embeds, tokens, cache);
        long n = (long) tokens * cfg.vocabSize();
        if (n > Integer.MAX_VALUE - 8) throw new ModelException("logits for " + tokens + " tokens do not fit one array; use prefill()");
        float[] logits = new float[(int) n];
        for (int t0 = 0; t0 < tokens; t0 += CHUNK) {
            int m = Math.min(CHUNK, tokens - t0);
            KVCache.Scratch s = cache.scratch(cfg, Math.min(CHUNK, tokens));
            System.arraycopy(embeds, t0 * cfg.hiddenSize(), s.x, 0, m * cfg.hiddenSize());
            layers(s, m, cache);
            Norms.rmsNorm(s.x, s.xn, m, cfg.hiddenSize(), w.norm(), (float) cfg.rmsNormEps());
            Gemm.matmul(s.xn, 0, m, w.lmHead(), null, logits, t0 * cfg.vocabSize());
        }
        return logits;
    }

    /**
     * Appends {@code tokens} positions given as embeddings and returns the logits of the last one only,
     * {@code [vocab]}; the array is the cache's buffer, valid until the next call with this cache.
     */
    @Override
    public float[] prefill(float[] embeds, int tokens, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c);
        checkInput(embeds, tokens, cache);
        KVCache.Scratch s = cache.scratch(cfg, Math.min(CHUNK, tokens));
        int m = 0;
        for (int t0 = 0; t0 < tokens; t0 += CHUNK) {
            m = Math.min(CHUNK, tokens - t0);
            System.arraycopy(embeds, t0 * cfg.hiddenSize(), s.x, 0, m * cfg.hiddenSize());
            layers(s, m, cache);
        }
        return lastLogits(s, m);
    }

    /**
     * Appends one token and returns its logits {@code [vocab]}: the cache's buffer, valid until the next call with
     * this cache. Allocates nothing once the cache has grown to the sequence's length.
     */
    @Override
    public float[] decode(int token, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c);
        checkToken(token);
        checkRoom(cache, 1);
        KVCache.Scratch s = cache.scratch(cfg, 1);
        w.embedTokens().decodeRow(token, s.x, 0);
        layers(s, 1, cache);
        return lastLogits(s, 1);
    }

    @Override
    public long decodeWeightBytes() {
        long bytes = w.lmHead().storedBytes();
        for (Qwen2Weights.Layer l : w.layers()) {
            for (var m : new org.tessera.core.kernels.WeightMatrix[] {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()}) bytes += m.storedBytes();
        }
        return bytes;
    }

    private void checkInput(float[] embeds, int tokens, KVCache cache) {
        if (tokens <= 0) throw new ModelException("need at least one token, got " + tokens);
        if (embeds.length < (long) tokens * cfg.hiddenSize()) {
            throw new ModelException("embeddings hold " + embeds.length + " floats, " + tokens + " tokens need " + (long) tokens * cfg.hiddenSize());
        }
        checkRoom(cache, tokens);
    }

    private void checkRoom(KVCache cache, int tokens) {
        if ((long) cache.length + tokens > cfg.maxPositions()) {
            throw new ModelException("sequence of " + ((long) cache.length + tokens) + " tokens exceeds max_position_embeddings "
                    + cfg.maxPositions());
        }
    }

    private float[] lastLogits(KVCache.Scratch s, int m) {
        int d = cfg.hiddenSize();
        Norms.rmsNormRow(s.x, (m - 1) * d, s.xn, 0, d, w.norm(), (float) cfg.rmsNormEps());
        MatVec.matvec(s.xn, 0, w.lmHead(), null, s.logits, 0);
        return s.logits;
    }

    /** Runs all layers over the m tokens in {@code s.x} (positions cache.length ..), appending them to the cache. */
    private void layers(KVCache.Scratch s, int m, KVCache cache) {
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), kvDim = cfg.kvDim(), hd = cfg.headDim();
        int heads = cfg.numHeads(), kvHeads = cfg.numKvHeads();
        float eps = (float) cfg.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int pos0 = cache.length;
        cache.ensureCapacity(pos0 + m);
        for (int l = 0; l < cfg.numLayers(); l++) {
            Qwen2Weights.Layer lw = w.layers().get(l);
            float[] kc = cache.k[l], vc = cache.v[l];
            // attention
            Norms.rmsNorm(s.x, s.xn, m, d, lw.inputNorm(), eps);
            // one call for the three projections of the same rows: A packed once, the small k/v share the threads' work
            Gemm.matmuls(s.xn, 0, m, new WeightMatrix[] {lw.q(), lw.k(), lw.v()}, new float[][] {lw.qBias(), lw.kBias(), lw.vBias()},
                    new float[][] {s.q, kc, vc}, new int[] {0, pos0 * kvDim, pos0 * kvDim});
            rope.applyTokens(s.q, m, heads, pos0);
            for (int t = 0; t < m; t++) rope.apply(kc, (pos0 + t) * kvDim, kvHeads, pos0 + t);
            Attention.attention(s.q, kc, 0, kvDim, hd, vc, 0, kvDim, hd, s.att, m, pos0 + m, heads, kvHeads, hd, scale, true, pos0);
            Gemm.matmul(s.att, 0, m, lw.o(), null, s.xn, 0);
            RowOps.add(s.x, 0, s.xn, 0, m * d);
            // MLP (SwiGLU)
            Norms.rmsNorm(s.x, s.xn, m, d, lw.postAttentionNorm(), eps);
            Gemm.matmuls(s.xn, 0, m, new WeightMatrix[] {lw.gate(), lw.up()}, null, new float[][] {s.gate, s.up}, new int[] {0, 0});
            RowOps.siluMul(s.gate, s.up, m * inter);
            Gemm.matmul(s.gate, 0, m, lw.down(), null, s.xn, 0);
            RowOps.add(s.x, 0, s.xn, 0, m * d);
        }
        cache.length = pos0 + m;
    }
}
