package org.tessera.model.qwen2;

import com.fasterxml.jackson.databind.JsonNode;
import org.tessera.model.ConfigNode;
import org.tessera.model.llm.LlmConfig;

/**
 * Qwen2 / Qwen2.5 decoder hyper-parameters, as transformers' {@code Qwen2Config} holds them ({@code llm_config}
 * of an InternVL config). Omitted keys take that class's defaults; {@code num_key_value_heads} defaults to the
 * number of query heads and {@code head_dim} to hidden / heads.
 *
 * @param tieWordEmbeddings {@code tie_word_embeddings}: the LM head is the embedding matrix (Qwen2Config's default
 *                          is false)
 */
public record Qwen2Config(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                          int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, int maxPositions,
                          boolean tieWordEmbeddings) implements LlmConfig {

    public static final String ARCHITECTURE = "Qwen2ForCausalLM";

    public Qwen2Config {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0
                || numKvHeads <= 0 || headDim <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("Qwen2 sizes must be positive");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
    }

    @Override
    public String architecture() { return ARCHITECTURE; }

    /** Parses an {@code llm_config} (or a Qwen2 {@code config.json}) object, refusing what this runtime would compute wrongly. */
    public static Qwen2Config parse(ConfigNode c) {
        String act = c.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) throw c.error("hidden_act", "is \"" + act + "\"; Qwen2 supports only \"silu\"");
        if (c.boolOr("use_sliding_window", false)) {
            throw c.error("use_sliding_window", "is true; sliding-window attention is not supported (full causal attention only)");
        }
        int maxPos = c.intOr("max_position_embeddings", 32768);
        JsonNode scaling = c.raw("rope_scaling");
        if (scaling != null) {
            // Dynamic NTK only rescales beyond max_position_embeddings, where this runtime refuses to go anyway.
            JsonNode type = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
            String t = type == null ? "?" : type.asText();
            if (!t.equals("dynamic") && !t.equals("default")) {
                throw c.error("rope_scaling", "type \"" + t + "\" is not supported (supported: none, \"dynamic\", which is a"
                        + " no-op within max_position_embeddings)");
            }
        }
        int hidden = c.intOr("hidden_size", 4096);
        int heads = c.intOr("num_attention_heads", 32);
        try {
            return new Qwen2Config(
                    c.intOr("vocab_size", 151936),
                    hidden,
                    c.intOr("intermediate_size", 22016),
                    c.intOr("num_hidden_layers", 32),
                    heads,
                    c.intOr("num_key_value_heads", heads),
                    c.intOr("head_dim", heads > 0 ? hidden / heads : 0),
                    c.doubleOr("rms_norm_eps", 1e-6),
                    c.doubleOr("rope_theta", 10000.0),
                    maxPos,
                    c.boolOr("tie_word_embeddings", false));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }
}
