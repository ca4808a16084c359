package org.tessera.model.phi3;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;

/**
 * Phi-3 weights, named as {@code Phi3ForCausalLM} names them under a prefix such as {@code language_model.}. This
 * is the only place those names are written.
 *
 * @param embedTokens [vocab, hidden], read in place
 * @param lmHead      [vocab, hidden]: {@code lm_head.weight}, or {@code embedTokens} itself when tied
 * @param headTied    whether the head is the embedding matrix
 */
public record Phi3Weights(WeightMatrix embedTokens, List<Layer> layers, float[] norm, WeightMatrix lmHead, boolean headTied) {

    /**
     * One decoder layer, fused tensors as stored.
     *
     * @param qkvProj    {@code [(H + 2·KV)·d, hidden]}: rows {@code [q; k; v]} (the reference slices the output at
     *                   H·d and H·d + KV·d)
     * @param gateUpProj {@code [2·intermediate, hidden]}: rows {@code [gate; up]} (the reference's {@code chunk(2)})
     */
    public record Layer(float[] inputNorm, WeightMatrix qkvProj, WeightMatrix oProj, float[] postAttentionNorm,
                        WeightMatrix gateUpProj, WeightMatrix downProj) {}

    public Phi3Weights {
        layers = List.copyOf(layers);
    }

    public static Phi3Weights load(WeightReader r, String prefix, Phi3Config cfg) {
        return load(r, prefix, cfg, false);
    }

    /**
     * Loads every tensor the config implies; with {@code int8} every projection matrix and an untied head are
     * quantised to Q8_0 at load (Q8_0 blocks run along rows, so row ranges of a quantised fused matrix are still
     * its parts). The head follows {@code tie_word_embeddings}; untied without a stored {@code lm_head.weight}
     * falls back to the embedding matrix.
     */
    public static Phi3Weights load(WeightReader r, String prefix, Phi3Config cfg, boolean int8) {
        UnaryOperator<WeightMatrix> quant = int8 ? WeightMatrix::quantizeQ8 : w -> w;
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize();
        String m = prefix + "model.";
        WeightMatrix embed = r.matrix(m + "embed_tokens.weight", cfg.vocabSize(), d);
        List<Layer> layers = new ArrayList<>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String n = m + "layers." + l + ".";
            layers.add(new Layer(
                    r.vector(n + "input_layernorm.weight", d),
                    quant.apply(r.matrix(n + "self_attn.qkv_proj.weight", cfg.qkvRows(), d)),
                    quant.apply(r.matrix(n + "self_attn.o_proj.weight", d, cfg.qDim())),
                    r.vector(n + "post_attention_layernorm.weight", d),
                    quant.apply(r.matrix(n + "mlp.gate_up_proj.weight", 2 * inter, d)),
                    quant.apply(r.matrix(n + "mlp.down_proj.weight", d, inter))));
        }
        float[] norm = r.vector(m + "norm.weight", d);
        String head = prefix + "lm_head.weight";
        boolean tied = cfg.tieWordEmbeddings() || !r.contains(head);
        WeightMatrix lmHead = tied ? embed : quant.apply(r.matrix(head, cfg.vocabSize(), d));
        return new Phi3Weights(embed, layers, norm, lmHead, tied);
    }
}
