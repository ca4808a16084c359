package org.tessera.model.qwen2;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;

/**
 * Qwen2 weights, named as in transformers' {@code Qwen2ForCausalLM} under a prefix such as {@code language_model.}.
 * This is the only place those names are written.
 *
 * @param embedTokens [vocab, hidden], read in place
 * @param lmHead      [vocab, hidden]: {@code lm_head.weight}, or {@code embedTokens} itself when tied
 * @param headTied    whether the head is the embedding matrix
 */
public record Qwen2Weights(WeightMatrix embedTokens, List<Layer> layers, float[] norm, WeightMatrix lmHead, boolean headTied) {

    /** One decoder layer; q/k/v carry biases (Qwen2 hard-codes them), o_proj and the MLP do not. */
    public record Layer(float[] inputNorm, WeightMatrix q, float[] qBias, WeightMatrix k, float[] kBias,
                        WeightMatrix v, float[] vBias, WeightMatrix o, float[] postAttentionNorm,
                        WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}

    /**
     * Loads every tensor the config implies. The head follows {@code tie_word_embeddings}: tied means the embedding
     * matrix (as transformers ties it, ignoring a stored {@code lm_head.weight}); untied means
     * {@code lm_head.weight}, or, when a checkpoint lacks it, the embedding matrix again (what the weights of a tied
     * model saved without the duplicate look like).
     */
    public static Qwen2Weights load(WeightReader r, String prefix, Qwen2Config cfg) {
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), q = cfg.qDim(), kv = cfg.kvDim();
        String m = prefix + "model.";
        WeightMatrix embed = r.matrix(m + "embed_tokens.weight", cfg.vocabSize(), d);
        List<Layer> layers = new ArrayList<>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String n = m + "layers." + l + ".";
            layers.add(new Layer(
                    r.vector(n + "input_layernorm.weight", d),
                    r.matrix(n + "self_attn.q_proj.weight", q, d),
                    r.vector(n + "self_attn.q_proj.bias", q),
                    r.matrix(n + "self_attn.k_proj.weight", kv, d),
                    r.vector(n + "self_attn.k_proj.bias", kv),
                    r.matrix(n + "self_attn.v_proj.weight", kv, d),
                    r.vector(n + "self_attn.v_proj.bias", kv),
                    r.matrix(n + "self_attn.o_proj.weight", d, q),
                    r.vector(n + "post_attention_layernorm.weight", d),
                    r.matrix(n + "mlp.gate_proj.weight", inter, d),
                    r.matrix(n + "mlp.up_proj.weight", inter, d),
                    r.matrix(n + "mlp.down_proj.weight", d, inter)));
        }
        float[] norm = r.vector(m + "norm.weight", d);
        String head = prefix + "lm_head.weight";
        boolean tied = cfg.tieWordEmbeddings() || !r.contains(head);
        WeightMatrix lmHead = tied ? embed : r.matrix(head, cfg.vocabSize(), d);
        return new Qwen2Weights(embed, List.copyOf(layers), norm, lmHead, tied);
    }
}
