package org.tessera.model.internlm2;

import com.fasterxml.jackson.databind.JsonNode;
import org.tessera.model.ConfigNode;
import org.tessera.model.llm.LlmConfig;

/**
 * InternLM2 decoder hyper-parameters, as the remote-code {@code InternLM2Config} (shipped with InternVL2-2B and
 * Mini-InternVL-Chat-2B-V1-5) holds them. Omitted keys take that class's defaults: vocab 103168, hidden 4096,
 * intermediate 11008, 32 layers, 32 heads, {@code num_key_value_heads} = heads, {@code max_position_embeddings}
 * 2048, {@code rms_norm_eps} 1e-6, {@code rope_theta} 10000, {@code bias} true, {@code tie_word_embeddings} false.
 * The head size is hidden / heads (the reference has no {@code head_dim} key and refuses a remainder).
 *
 * @param bias {@code bias}: whether {@code wqkv} and {@code wo} carry biases (the MLP never does); the 1.8B chat
 *             model says false, the class default is true
 */
public record InternLM2Config(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                              int numKvHeads, double rmsNormEps, double ropeTheta, int maxPositions,
                              boolean tieWordEmbeddings, boolean bias) implements LlmConfig {

    public static final String ARCHITECTURE = "InternLM2ForCausalLM";

    public InternLM2Config {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0
                || numKvHeads <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("InternLM2 sizes must be positive");
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("head size " + hiddenSize / numHeads + " must be even for rotary embeddings");
        }
    }

    @Override
    public String architecture() { return ARCHITECTURE; }

    @Override
    public int headDim() { return hiddenSize / numHeads; }

    /** Query heads per KV head: the group size g of the fused {@code wqkv} layout. */
    public int group() { return numHeads / numKvHeads; }

    /** Rows of the fused {@code wqkv}: {@code (H + 2·KV)·d}. */
    public int qkvRows() { return (numHeads + 2 * numKvHeads) * headDim(); }

    /** Parses an {@code llm_config} (or an InternLM2 {@code config.json}) object, refusing what this runtime would compute wrongly. */
    public static InternLM2Config parse(ConfigNode c) {
        String act = c.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) throw c.error("hidden_act", "is \"" + act + "\"; InternLM2 supports only \"silu\"");
        String posIds = c.stringOr("rope_pos_id_version", "default");
        if (!posIds.equals("default")) {
            throw c.error("rope_pos_id_version", "is \"" + posIds + "\"; only \"default\" (plain positions) is supported, not V2PE");
        }
        JsonNode scaling = c.raw("rope_scaling");
        if (scaling != null) {
            // The reference's dynamic NTK rebuilds its tables only for sequences beyond max_position_embeddings,
            // which this runtime refuses; below that it is plain RoPE.
            JsonNode type = scaling.has("type") ? scaling.get("type") : scaling.get("rope_type");
            String t = type == null ? "?" : type.asText();
            if (!t.equals("dynamic")) {
                throw c.error("rope_scaling", "type \"" + t + "\" is not supported (supported: none, \"dynamic\", which is a"
                        + " no-op within max_position_embeddings)");
            }
        }
        int heads = c.intOr("num_attention_heads", 32);
        try {
            return new InternLM2Config(
                    c.intOr("vocab_size", 103168),
                    c.intOr("hidden_size", 4096),
                    c.intOr("intermediate_size", 11008),
                    c.intOr("num_hidden_layers", 32),
                    heads,
                    c.intOr("num_key_value_heads", heads),
                    c.doubleOr("rms_norm_eps", 1e-6),
                    c.doubleOr("rope_theta", 10000.0),
                    c.intOr("max_position_embeddings", 2048),
                    c.boolOr("tie_word_embeddings", false),
                    c.boolOr("bias", true));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }
}
