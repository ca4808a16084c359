package org.tessera.model.phi3;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.LongRope;
import org.tessera.core.kernels.Rope;
import org.tessera.model.llm.DecoderModel;
import org.tessera.model.llm.DecoderWeights;
import org.tessera.model.llm.QkvProjection;

/**
 * The Phi-3 decoder ({@code Phi3ForCausalLM}; InternVL2-4B and Mini-InternVL-Chat-4B-V1-5 use Phi-3-mini-128k-instruct)
 * on the shared {@link DecoderModel}. The layer is Llama's without biases; its fused tensors are stacked by rows
 * ({@code qkv_proj} = [q; k; v], {@code gate_up_proj} = [gate; up]), so their parts become zero-copy row views and
 * run exactly like separate matrices.
 *
 * <p>RoPE: plain with base {@code rope_theta}, or LongRoPE ({@code rope_scaling} "su"/"longrope", see
 * {@link LongRope}). As in the reference ({@code Phi3SuScaledRotaryEmbedding}), each forward call picks the short or
 * long factors from the length the sequence has at the end of that call (its largest position id + 1), and rotates
 * that call's queries and keys with them; keys already in the cache keep their rotation. So a prompt longer than
 * {@code original_max_position_embeddings} (4096) runs entirely on the long factors, while a generation that crosses
 * 4096 keeps its earlier keys on the short ones, which is what the remote code shipped with InternVL2-4B does with
 * its cache. (Later transformers versions instead drop the cache at the crossing and recompute the whole sequence
 * with the long factors; a caller wanting that re-runs the sequence through a fresh cache.)
 */
public final class Phi3Model extends DecoderModel {
    private final Phi3Config cfg;
    private final Phi3Weights w;
    private final Rope plain;
    private final LongRope longRope;

    public Phi3Model(Phi3Config cfg, Phi3Weights w) {
        super(cfg, decoderWeights(cfg, w));
        this.cfg = cfg;
        this.w = w;
        Phi3Config.LongRopeScaling s = cfg.ropeScaling();
        if (s == null) {
            this.plain = new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.maxPositions());
            this.longRope = null;
        } else {
            this.plain = null;
            this.longRope = new LongRope(cfg.headDim(), cfg.ropeTheta(), s.shortFactor(), s.longFactor(),
                    cfg.originalMaxPositionEmbeddings(), cfg.maxPositionEmbeddings());
        }
    }

    private static DecoderWeights decoderWeights(Phi3Config cfg, Phi3Weights w) {
        int q = cfg.qDim(), kv = cfg.kvDim(), inter = cfg.intermediateSize();
        List<DecoderWeights.Layer> layers = new ArrayList<>(w.layers().size());
        for (Phi3Weights.Layer l : w.layers()) {
            var qkv = new QkvProjection.Separate(
                    DecoderWeights.rowSlice(l.qkvProj(), 0, q), null,
                    DecoderWeights.rowSlice(l.qkvProj(), q, kv), null,
                    DecoderWeights.rowSlice(l.qkvProj(), q + kv, kv), null);
            layers.add(new DecoderWeights.Layer(l.inputNorm(), qkv, l.oProj(), null, l.postAttentionNorm(),
                    DecoderWeights.rowSlice(l.gateUpProj(), 0, inter), DecoderWeights.rowSlice(l.gateUpProj(), inter, inter),
                    l.downProj()));
        }
        return new DecoderWeights(w.embedTokens(), layers, w.norm(), w.lmHead());
    }

    @Override
    protected Rope rope(int length) {
        return longRope == null ? plain : longRope.forSequenceLength(length);
    }

    /** The LongRoPE tables, or null for plain RoPE. */
    public LongRope longRope() { return longRope; }

    @Override
    public Phi3Config config() { return cfg; }

    public Phi3Weights weights() { return w; }
}
