package org.tessera.model.llm;

import org.tessera.core.kernels.Attention;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.MatVec;
import org.tessera.core.kernels.Norms;
import org.tessera.core.kernels.Rope;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.ModelException;
import org.tessera.model.RowOps;

/**
 * The Llama-style decoder the supported families share (Qwen2/Qwen2.5, InternLM2, Phi-3), float32 compute on the
 * stored weights. Each family subclasses it with its config, hands over its weights as {@link DecoderWeights} and
 * chooses the RoPE table ({@link #rope(int)}); nothing else differs between them.
 *
 * <pre>
 * per layer:  a = rms_norm(x)
 *             q, k, v = projections of a (+ biases where the family has them; GQA: fewer k/v heads than q heads)
 *             rotate-half RoPE on q and k at their absolute positions
 *             x = x + o(causal softmax(q·kᵀ/√d)·v)                 (keys: cache + this call's tokens)
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
public abstract class DecoderModel implements LanguageModel {
    /** Tokens per forward step of a long prompt. */
    public static final int CHUNK = 512;

    private final LlmConfig cfg;
    private final DecoderWeights w;
    private final boolean fused;

    protected DecoderModel(LlmConfig cfg, DecoderWeights w) {
        if (w.layers().size() != cfg.numLayers()) {
            throw new IllegalArgumentException(w.layers().size() + " layers of weights for a config of " + cfg.numLayers());
        }
        this.cfg = cfg;
        this.w = w;
        this.fused = w.layers().stream().anyMatch(l -> l.qkv() instanceof QkvProjection.Grouped);
    }

    /**
     * The RoPE table for one call that brings the sequence to {@code length} positions (its tokens sit at positions
     * below that). Most families have one table; Phi-3's LongRoPE picks its factors by the length.
     */
    protected abstract Rope rope(int length);

    public LlmConfig config() { return cfg; }

    /** The weights in the decoder's shape. */
    public DecoderWeights decoderWeights() { return w; }

    @Override public int vocabSize() { return cfg.vocabSize(); }

    @Override public int hiddenSize() { return cfg.hiddenSize(); }

    @Override public int maxPositions() { return cfg.maxPositions(); }

    @Override
    public KVCache newCache() {
        return newCache(256);
    }

    @Override
    public KVCache newCache(int positions) {
        return new KVCache(this, cfg.numLayers(), cfg.kvDim(), cfg.maxPositions(), positions);
    }

    @Override
    public void embed(int[] ids, float[] out, int off) {
        int d = cfg.hiddenSize();
        for (int i = 0; i < ids.length; i++) {
            checkToken(ids[i]);
            w.embed().decodeRow(ids[i], out, off + i * d);
        }
    }

    private void checkToken(int id) {
        if (id < 0 || id >= cfg.vocabSize()) throw new ModelException("token id " + id + " is outside the vocabulary [0, " + cfg.vocabSize() + ")");
    }

    @Override
    public float[] forward(float[] embeds, int tokens, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c, this);
        checkInput(embeds, tokens, cache);
        long n = (long) tokens * cfg.vocabSize();
        if (n > Integer.MAX_VALUE - 8) throw new ModelException("logits for " + tokens + " tokens do not fit one array; use prefill()");
        float[] logits = new float[(int) n];
        Rope rope = rope(cache.length + tokens);
        for (int t0 = 0; t0 < tokens; t0 += CHUNK) {
            int m = Math.min(CHUNK, tokens - t0);
            KVCache.Scratch s = cache.scratch(cfg, fused, Math.min(CHUNK, tokens));
            System.arraycopy(embeds, t0 * cfg.hiddenSize(), s.x, 0, m * cfg.hiddenSize());
            layers(s, m, cache, rope, false);
            Norms.rmsNorm(s.x, s.xn, m, cfg.hiddenSize(), w.norm(), (float) cfg.rmsNormEps());
            Gemm.matmul(s.xn, 0, m, w.head(), null, logits, t0 * cfg.vocabSize());
        }
        return logits;
    }

    @Override
    public float[] prefill(float[] embeds, int tokens, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c, this);
        checkInput(embeds, tokens, cache);
        KVCache.Scratch s = cache.scratch(cfg, fused, Math.min(CHUNK, tokens));
        Rope rope = rope(cache.length + tokens);
        int m = 0;
        for (int t0 = 0; t0 < tokens; t0 += CHUNK) {
            m = Math.min(CHUNK, tokens - t0);
            System.arraycopy(embeds, t0 * cfg.hiddenSize(), s.x, 0, m * cfg.hiddenSize());
            // only the final chunk's last token needs the top layer's output; earlier ones need only its keys and values
            layers(s, m, cache, rope, t0 + m == tokens);
        }
        return lastLogits(s, m);
    }

    /** Allocates nothing once the cache has grown to the sequence's length. */
    @Override
    public float[] decode(int token, LanguageModel.Cache c) {
        KVCache cache = KVCache.of(c, this);
        checkToken(token);
        checkRoom(cache, 1);
        KVCache.Scratch s = cache.scratch(cfg, fused, 1);
        w.embed().decodeRow(token, s.x, 0);
        layers(s, 1, cache, rope(cache.length + 1), false);
        return lastLogits(s, 1);
    }

    @Override
    public long decodeWeightBytes() {
        return w.decodeBytes();
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
            throw new ModelException("sequence of " + ((long) cache.length + tokens) + " tokens exceeds " + cfg.positionLimit());
        }
    }

    private float[] lastLogits(KVCache.Scratch s, int m) {
        int d = cfg.hiddenSize();
        Norms.rmsNormRow(s.x, (m - 1) * d, s.xn, 0, d, w.norm(), (float) cfg.rmsNormEps());
        MatVec.matvec(s.xn, 0, w.head(), null, s.logits, 0);
        return s.logits;
    }

    /**
     * Runs all layers over the m tokens in {@code s.x} (positions cache.length ..), appending them to the cache. With
     * {@code lastRowOnly} the top layer computes keys and values for all m tokens (the cache needs them) but its
     * queries, attention, output projection and MLP for the last token only, so only row m − 1 of {@code s.x} is
     * the model's output afterwards: a prompt's other rows feed nothing (llama.cpp skips them the same way). That
     * saves ~1/numLayers of a prefill's matrix products.
     */
    private void layers(KVCache.Scratch s, int m, KVCache cache, Rope rope, boolean lastRowOnly) {
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), kvDim = cfg.kvDim(), hd = cfg.headDim();
        int heads = cfg.numHeads(), kvHeads = cfg.numKvHeads();
        float eps = (float) cfg.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int pos0 = cache.length;
        cache.ensureCapacity(pos0 + m);
        int layers = cfg.numLayers();
        if (lastRowOnly && m > 1) layers--;
        for (int l = 0; l < layers; l++) {
            DecoderWeights.Layer lw = w.layers().get(l);
            float[] kc = cache.k[l], vc = cache.v[l];
            // attention
            Norms.rmsNorm(s.x, s.xn, m, d, lw.attentionNorm(), eps);
            switch (lw.qkv()) {
                case QkvProjection.Separate p -> // one call: A packed once, the small k/v share the threads' work with q
                        Gemm.matmuls(s.xn, 0, m, new WeightMatrix[] {p.q(), p.k(), p.v()}, new float[][] {p.qBias(), p.kBias(), p.vBias()},
                                new float[][] {s.q, kc, vc}, new int[] {0, pos0 * kvDim, pos0 * kvDim});
                case QkvProjection.Grouped g -> {
                    Gemm.matmul(s.xn, 0, m, g.w(), g.bias(), s.qkv, 0);
                    scatterGrouped(s.qkv, m, s.q, kc, vc, pos0 * kvDim);
                }
            }
            rope.applyTokens(s.q, m, heads, pos0);
            for (int t = 0; t < m; t++) rope.apply(kc, (pos0 + t) * kvDim, kvHeads, pos0 + t);
            Attention.attention(s.q, kc, 0, kvDim, hd, vc, 0, kvDim, hd, s.att, m, pos0 + m, heads, kvHeads, hd, scale, true, pos0);
            Gemm.matmul(s.att, 0, m, lw.o(), lw.oBias(), s.xn, 0);
            RowOps.add(s.x, 0, s.xn, 0, m * d);
            // MLP (SwiGLU)
            Norms.rmsNorm(s.x, s.xn, m, d, lw.mlpNorm(), eps);
            Gemm.matmuls(s.xn, 0, m, new WeightMatrix[] {lw.gate(), lw.up()}, null, new float[][] {s.gate, s.up}, new int[] {0, 0});
            RowOps.siluMul(s.gate, s.up, m * inter);
            Gemm.matmul(s.gate, 0, m, lw.down(), null, s.xn, 0);
            RowOps.add(s.x, 0, s.xn, 0, m * d);
        }
        if (layers < cfg.numLayers()) topLayerLastRow(s, m, cache, rope);
        cache.length = pos0 + m;
    }

    /** The top layer of {@link #layers} for {@code lastRowOnly}: keys and values of all m tokens, the rest for row m − 1. */
    private void topLayerLastRow(KVCache.Scratch s, int m, KVCache cache, Rope rope) {
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), kvDim = cfg.kvDim(), hd = cfg.headDim();
        int heads = cfg.numHeads(), kvHeads = cfg.numKvHeads();
        float eps = (float) cfg.rmsNormEps();
        int pos0 = cache.length, last = pos0 + m - 1, lastRow = (m - 1) * d;
        DecoderWeights.Layer lw = w.layers().get(cfg.numLayers() - 1);
        float[] kc = cache.k[cfg.numLayers() - 1], vc = cache.v[cfg.numLayers() - 1];
        Norms.rmsNorm(s.x, s.xn, m, d, lw.attentionNorm(), eps);
        switch (lw.qkv()) {
            case QkvProjection.Separate p -> {
                Gemm.matmuls(s.xn, 0, m, new WeightMatrix[] {p.k(), p.v()}, new float[][] {p.kBias(), p.vBias()},
                        new float[][] {kc, vc}, new int[] {pos0 * kvDim, pos0 * kvDim});
                Gemm.matmul(s.xn, lastRow, 1, p.q(), p.qBias(), s.q, 0);
            }
            case QkvProjection.Grouped g -> { // q, k and v are interleaved in one product: the q rows come along
                Gemm.matmul(s.xn, 0, m, g.w(), g.bias(), s.qkv, 0);
                scatterGrouped(s.qkv, m, s.q, kc, vc, pos0 * kvDim);
                System.arraycopy(s.q, (m - 1) * cfg.qDim(), s.q, 0, cfg.qDim());
            }
        }
        rope.applyTokens(s.q, 1, heads, last);
        for (int t = 0; t < m; t++) rope.apply(kc, (pos0 + t) * kvDim, kvHeads, pos0 + t);
        Attention.attention(s.q, kc, 0, kvDim, hd, vc, 0, kvDim, hd, s.att, 1, last + 1, heads, kvHeads, hd,
                (float) (1.0 / Math.sqrt(hd)), true, last);
        Gemm.matmul(s.att, 0, 1, lw.o(), lw.oBias(), s.xn, 0);
        RowOps.add(s.x, lastRow, s.xn, 0, d);
        Norms.rmsNormRow(s.x, lastRow, s.xn, 0, d, lw.mlpNorm(), eps);
        Gemm.matmuls(s.xn, 0, 1, new WeightMatrix[] {lw.gate(), lw.up()}, null, new float[][] {s.gate, s.up}, new int[] {0, 0});
        RowOps.siluMul(s.gate, s.up, inter);
        Gemm.matmul(s.gate, 0, 1, lw.down(), null, s.xn, 0);
        RowOps.add(s.x, lastRow, s.xn, 0, d);
    }

    /**
     * Moves the rows of a {@link QkvProjection.Grouped} product to their places: per token, KV head h's block
     * {@code [q_{h·g} … q_{h·g+g−1}, k_h, v_h]} (headDim floats each) goes to query heads h·g + j of {@code q}
     * ({@code [m][H][d]}) and to KV head h of the key and value rows at {@code kvOff} ({@code [m][KV][d]}).
     */
    private void scatterGrouped(float[] qkv, int m, float[] q, float[] k, float[] v, int kvOff) {
        int hd = cfg.headDim(), kvHeads = cfg.numKvHeads(), g = cfg.numHeads() / kvHeads;
        int row = (cfg.numHeads() + 2 * kvHeads) * hd, block = (g + 2) * hd;
        int qDim = cfg.qDim(), kvDim = cfg.kvDim();
        for (int t = 0; t < m; t++) {
            for (int h = 0; h < kvHeads; h++) {
                int src = t * row + h * block;
                System.arraycopy(qkv, src, q, t * qDim + h * g * hd, g * hd);
                System.arraycopy(qkv, src + g * hd, k, kvOff + t * kvDim + h * hd, hd);
                System.arraycopy(qkv, src + (g + 1) * hd, v, kvOff + t * kvDim + h * hd, hd);
            }
        }
    }
}
