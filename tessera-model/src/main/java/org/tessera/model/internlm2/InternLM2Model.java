package org.tessera.model.internlm2;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.Rope;
import org.tessera.model.llm.DecoderModel;
import org.tessera.model.llm.DecoderWeights;
import org.tessera.model.llm.QkvProjection;

/**
 * The InternLM2 decoder ({@code InternLM2ForCausalLM}, InternVL2-2B and Mini-InternVL-Chat-2B-V1-5) on the shared
 * {@link DecoderModel}. It is the Llama layer with InternLM2's names and one real difference, the fused
 * {@code wqkv} grouped per KV head ({@link QkvProjection.Grouped}); {@code attention_norm} → attention →
 * residual, {@code ffn_norm} → {@code w2(silu(w1 x) · w3 x)} → residual, final {@code norm}, head {@code output}.
 * RoPE is rotate-half with base {@code rope_theta}; dynamic NTK scaling only acts beyond
 * {@code max_position_embeddings}, the longest sequence accepted.
 */
public final class InternLM2Model extends DecoderModel {
    private final InternLM2Config cfg;
    private final InternLM2Weights w;
    private final Rope rope;

    public InternLM2Model(InternLM2Config cfg, InternLM2Weights w) {
        super(cfg, decoderWeights(w));
        this.cfg = cfg;
        this.w = w;
        this.rope = new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.maxPositions());
    }

    private static DecoderWeights decoderWeights(InternLM2Weights w) {
        List<DecoderWeights.Layer> layers = new ArrayList<>(w.layers().size());
        for (InternLM2Weights.Layer l : w.layers()) {
            layers.add(new DecoderWeights.Layer(l.attentionNorm(), new QkvProjection.Grouped(l.wqkv(), l.wqkvBias()),
                    l.wo(), l.woBias(), l.ffnNorm(), l.w1(), l.w3(), l.w2()));
        }
        return new DecoderWeights(w.tokEmbeddings(), layers, w.norm(), w.output());
    }

    @Override
    protected Rope rope(int length) { return rope; }

    @Override
    public InternLM2Config config() { return cfg; }

    public InternLM2Weights weights() { return w; }
}
