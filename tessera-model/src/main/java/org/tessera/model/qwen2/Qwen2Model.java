package org.tessera.model.qwen2;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.Rope;
import org.tessera.model.llm.DecoderModel;
import org.tessera.model.llm.DecoderWeights;
import org.tessera.model.llm.QkvProjection;

/**
 * The Qwen2 / Qwen2.5 decoder ({@code Qwen2ForCausalLM}) on the shared {@link DecoderModel}: q/k/v projections with
 * biases, o_proj and the MLP without, rotate-half RoPE with base {@code rope_theta} (dynamic NTK scaling, when
 * configured, changes nothing within {@code max_position_embeddings}, the longest sequence accepted).
 *
 * <p>Thread-safe across caches: all mutable state lives in the cache passed in.
 */
public final class Qwen2Model extends DecoderModel {
    private final Qwen2Config cfg;
    private final Qwen2Weights w;
    private final Rope rope;

    public Qwen2Model(Qwen2Config cfg, Qwen2Weights w) {
        super(cfg, decoderWeights(w));
        this.cfg = cfg;
        this.w = w;
        this.rope = new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.maxPositions());
    }

    private static DecoderWeights decoderWeights(Qwen2Weights w) {
        List<DecoderWeights.Layer> layers = new ArrayList<>(w.layers().size());
        for (Qwen2Weights.Layer l : w.layers()) {
            layers.add(new DecoderWeights.Layer(l.inputNorm(),
                    new QkvProjection.Separate(l.q(), l.qBias(), l.k(), l.kBias(), l.v(), l.vBias()),
                    l.o(), null, l.postAttentionNorm(), l.gate(), l.up(), l.down()));
        }
        return new DecoderWeights(w.embedTokens(), layers, w.norm(), w.lmHead());
    }

    @Override
    protected Rope rope(int length) { return rope; }

    @Override
    public Qwen2Config config() { return cfg; }

    public Qwen2Weights weights() { return w; }
}
