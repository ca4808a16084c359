package org.tessera.model.internlm2;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;

/**
 * InternLM2 weights, named as the remote-code {@code InternLM2ForCausalLM} names them under a prefix such as
 * {@code language_model.}. This is the only place those names are written.
 *
 * @param tokEmbeddings [vocab, hidden], read in place
 * @param output        [vocab, hidden]: {@code output.weight}, or {@code tokEmbeddings} itself when tied
 * @param headTied      whether the head is the embedding matrix
 */
public record InternLM2Weights(WeightMatrix tokEmbeddings, List<Layer> layers, float[] norm, WeightMatrix output, boolean headTied) {

    /**
     * One decoder layer.
     *
     * @param wqkv     the fused projection {@code [(H + 2·KV)·d, hidden]}, rows grouped per KV head as
     *                 {@code [q_{h·g} … q_{h·g+g−1}, k_h, v_h]} (the layout the reference's
     *                 {@code rearrange(qkv, 'b q (h gs d) -> b q h gs d', gs=2+g)} reads)
     * @param wqkvBias null unless {@code bias}
     * @param woBias   null unless {@code bias}
     * @param w1       the gate, {@code w3} the up projection, {@code w2} the down projection (no biases)
     */
    public record Layer(float[] attentionNorm, WeightMatrix wqkv, float[] wqkvBias, WeightMatrix wo, float[] woBias,
                        float[] ffnNorm, WeightMatrix w1, WeightMatrix w3, WeightMatrix w2) {}

    public InternLM2Weights {
        layers = List.copyOf(layers);
    }

    public static InternLM2Weights load(WeightReader r, String prefix, InternLM2Config cfg) {
        return load(r, prefix, cfg, false);
    }

    /**
     * Loads every tensor the config implies; with {@code int8} every projection matrix and an untied head are
     * quantised to Q8_0 at load (the embedding table stays as stored, as for Qwen2). The head follows
     * {@code tie_word_embeddings} as transformers' {@code tie_weights} does; untied without a stored
     * {@code output.weight} falls back to the embedding matrix.
     */
    public static InternLM2Weights load(WeightReader r, String prefix, InternLM2Config cfg, boolean int8) {
        UnaryOperator<WeightMatrix> quant = int8 ? WeightMatrix::quantizeQ8 : w -> w;
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), qkv = cfg.qkvRows(), q = cfg.qDim();
        String m = prefix + "model.";
        WeightMatrix embed = r.matrix(m + "tok_embeddings.weight", cfg.vocabSize(), d);
        List<Layer> layers = new ArrayList<>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String n = m + "layers." + l + ".";
            layers.add(new Layer(
                    r.vector(n + "attention_norm.weight", d),
                    quant.apply(r.matrix(n + "attention.wqkv.weight", qkv, d)),
                    cfg.bias() ? r.vector(n + "attention.wqkv.bias", qkv) : null,
                    quant.apply(r.matrix(n + "attention.wo.weight", d, q)),
                    cfg.bias() ? r.vector(n + "attention.wo.bias", d) : null,
                    r.vector(n + "ffn_norm.weight", d),
                    quant.apply(r.matrix(n + "feed_forward.w1.weight", inter, d)),
                    quant.apply(r.matrix(n + "feed_forward.w3.weight", inter, d)),
                    quant.apply(r.matrix(n + "feed_forward.w2.weight", d, inter))));
        }
        float[] norm = r.vector(m + "norm.weight", d);
        String head = prefix + "output.weight";
        boolean tied = cfg.tieWordEmbeddings() || !r.contains(head);
        WeightMatrix output = tied ? embed : quant.apply(r.matrix(head, cfg.vocabSize(), d));
        return new InternLM2Weights(embed, layers, norm, output, tied);
    }
}
