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
        return load(r, prefix, cfg, false);
    }

    /**
     * As {@link #load(WeightReader, String, Qwen2Config)}; with {@code int8} every projection matrix and an untied
     * head are quantised at load time to Q8_0 (blocks of 32 with an f32 scale), halving the bytes a decoded token
     * reads. The embedding table stays in its stored dtype: it is read one row per token, so its size costs nothing
     * per token, and a tied head therefore stays unquantised too.
     */
    public static Qwen2Weights load(WeightReader r, String prefix, Qwen2Config cfg, boolean int8) {
        java.util.function.UnaryOperator<WeightMatrix> quant = int8 ? WeightMatrix::quantizeQ8 : w -> w;
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), q = cfg.qDim(), kv = cfg.kvDim();
        String m = prefix + "model.";
        WeightMatrix embed = r.matrix(m + "embed_tokens.weight", cfg.vocabSize(), d);
        List<Layer> layers = new ArrayList<>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String n = m + "layers." + l + ".";
            layers.add(new Layer(
                    r.vector(n + "input_layernorm.weight", d),
                    quant.apply(r.matrix(n + "self_attn.q_proj.weight", q, d)),
                    r.vector(n + "self_attn.q_proj.bias", q),
                    quant.apply(r.matrix(n + "self_attn.k_proj.weight", kv, d)),
                    r.vector(n + "self_attn.k_proj.bias", kv),
                    quant.apply(r.matrix(n + "self_attn.v_proj.weight", kv, d)),
                    r.vector(n + "self_attn.v_proj.bias", kv),
                    quant.apply(r.matrix(n + "self_attn.o_proj.weight", d, q)),
                    r.vector(n + "post_attention_layernorm.weight", d),
                    quant.apply(r.matrix(n + "mlp.gate_proj.weight", inter, d)),
                    quant.apply(r.matrix(n + "mlp.up_proj.weight", inter, d)),
                    quant.apply(r.matrix(n + "mlp.down_proj.weight", d, inter))));
        }
        float[] norm = r.vector(m + "norm.weight", d);
        String head = prefix + "lm_head.weight";
        boolean tied = cfg.tieWordEmbeddings() || !r.contains(head);
        WeightMatrix lmHead = tied ? embed : quant.apply(r.matrix(head, cfg.vocabSize(), d));
        return new Qwen2Weights(embed, List.copyOf(layers), norm, lmHead, tied);
    }
}
