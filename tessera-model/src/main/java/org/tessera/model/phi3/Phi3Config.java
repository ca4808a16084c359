package org.tessera.model.phi3;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import org.tessera.model.ConfigNode;
import org.tessera.model.llm.LlmConfig;

/**
 * Phi-3 decoder hyper-parameters as {@code Phi3Config} (the remote code shipped with InternVL2-4B and
 * Mini-InternVL-Chat-4B-V1-5, and transformers' own) holds them. Omitted keys take that class's defaults: vocab
 * 32064, hidden 3072, intermediate 8192, 32 layers, 32 heads, {@code num_key_value_heads} = heads,
 * {@code max_position_embeddings} and {@code original_max_position_embeddings} 4096, {@code rms_norm_eps} 1e-5,
 * {@code rope_theta} 10000, no {@code rope_scaling}, no {@code sliding_window}, {@code tie_word_embeddings} false.
 * The head size is hidden / heads.
 *
 * <p>Sliding window: the reference masks keys more than {@code sliding_window} positions behind the query (the
 * exact boundary moved between transformers versions: eager masks of 4.36–4.39 keep the query and the
 * sliding_window − 1 keys before it, later ones and flash-attention keep sliding_window keys before it). A
 * sequence of at most {@code sliding_window} tokens is masked by none of them, so full causal attention is exact
 * there, and that is the limit this runtime enforces ({@link #maxPositions()}). Phi-3-mini-128k (InternVL2-4B)
 * says 262144, beyond its 131072 positions, so the window never matters for it.
 *
 * @param maxPositionEmbeddings         {@code max_position_embeddings}
 * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}: the LongRoPE switch point
 * @param ropeScaling                   null for plain RoPE, else LongRoPE's factors
 * @param slidingWindow                 {@code sliding_window}, or null
 */
public record Phi3Config(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                         int numKvHeads, double rmsNormEps, double ropeTheta, int maxPositionEmbeddings,
                         int originalMaxPositionEmbeddings, LongRopeScaling ropeScaling, Integer slidingWindow,
                         boolean tieWordEmbeddings) implements LlmConfig {

    public static final String ARCHITECTURE = "Phi3ForCausalLM";

    /**
     * {@code rope_scaling} of type {@code "su"} or {@code "longrope"} (the same computation under its later name):
     * per-pair frequency divisors for sequences up to / beyond {@code original_max_position_embeddings}.
     */
    public record LongRopeScaling(String type, double[] shortFactor, double[] longFactor) {}

    public Phi3Config {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0
                || numKvHeads <= 0 || maxPositionEmbeddings <= 0 || originalMaxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("Phi-3 sizes must be positive");
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        int hd = hiddenSize / numHeads;
        if (hd % 2 != 0) throw new IllegalArgumentException("head size " + hd + " must be even for rotary embeddings");
        if (ropeScaling != null && (ropeScaling.shortFactor().length != hd / 2 || ropeScaling.longFactor().length != hd / 2)) {
            throw new IllegalArgumentException("rope_scaling short_factor and long_factor need head size / 2 = " + hd / 2
                    + " values each, got " + ropeScaling.shortFactor().length + " and " + ropeScaling.longFactor().length);
        }
        if (slidingWindow != null && slidingWindow < 1) throw new IllegalArgumentException("sliding_window must be positive, got " + slidingWindow);
    }

    @Override
    public String architecture() { return ARCHITECTURE; }

    @Override
    public int headDim() { return hiddenSize / numHeads; }

    /** Rows of the fused {@code qkv_proj}: {@code [q; k; v]} = {@code (H + 2·KV)·d}. */
    public int qkvRows() { return qDim() + 2 * kvDim(); }

    /** {@code max_position_embeddings}, or {@code sliding_window} when that is smaller (see the class comment). */
    @Override
    public int maxPositions() {
        return slidingWindow == null ? maxPositionEmbeddings : Math.min(maxPositionEmbeddings, slidingWindow);
    }

    @Override
    public String positionLimit() {
        return slidingWindow != null && slidingWindow < maxPositionEmbeddings
                ? "sliding_window " + slidingWindow + " (longer sequences would need sliding-window attention, which is not supported)"
                : "max_position_embeddings " + maxPositionEmbeddings;
    }

    private static final Set<String> SCALING_KEYS = Set.of("type", "rope_type", "short_factor", "long_factor");

    /** Parses an {@code llm_config} (or a Phi-3 {@code config.json}) object, refusing what this runtime would compute wrongly. */
    public static Phi3Config parse(ConfigNode c) {
        String act = c.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) throw c.error("hidden_act", "is \"" + act + "\"; Phi-3 supports only \"silu\"");
        double partial = c.doubleOr("partial_rotary_factor", 1.0);
        if (partial != 1.0) throw c.error("partial_rotary_factor", "is " + partial + "; only 1.0 (every dimension rotated) is supported");
        int hidden = c.intOr("hidden_size", 3072);
        int heads = c.intOr("num_attention_heads", 32);
        if (c.has("head_dim") && heads > 0 && c.intOr("head_dim", 0) != hidden / heads) {
            throw c.error("head_dim", "is " + c.intOr("head_dim", 0) + "; Phi-3 uses hidden_size / num_attention_heads = " + hidden / heads);
        }
        LongRopeScaling scaling = null;
        JsonNode rs = c.raw("rope_scaling");
        if (rs != null) {
            if (!rs.isObject()) throw c.error("rope_scaling", "must be an object, got " + rs);
            JsonNode type = rs.has("type") ? rs.get("type") : rs.get("rope_type");
            String t = type == null ? "?" : type.asText();
            if (!t.equals("su") && !t.equals("longrope")) {
                throw c.error("rope_scaling", "type \"" + t + "\" is not supported (supported: none, \"su\" / \"longrope\")");
            }
            for (Iterator<String> it = rs.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!SCALING_KEYS.contains(k)) {
                    throw c.error("rope_scaling", "has \"" + k + "\", which this runtime does not apply (it reads type, short_factor, long_factor)");
                }
            }
            scaling = new LongRopeScaling(t, factors(c, rs, "short_factor"), factors(c, rs, "long_factor"));
        }
        Integer window = null;
        if (c.has("sliding_window")) window = c.intOr("sliding_window", 0);
        try {
            return new Phi3Config(
                    c.intOr("vocab_size", 32064),
                    hidden,
                    c.intOr("intermediate_size", 8192),
                    c.intOr("num_hidden_layers", 32),
                    heads,
                    c.intOr("num_key_value_heads", heads),
                    c.doubleOr("rms_norm_eps", 1e-5),
                    c.doubleOr("rope_theta", 10000.0),
                    c.intOr("max_position_embeddings", 4096),
                    c.intOr("original_max_position_embeddings", 4096),
                    scaling,
                    window,
                    c.boolOr("tie_word_embeddings", false));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    private static double[] factors(ConfigNode c, JsonNode rs, String key) {
        JsonNode a = rs.get(key);
        if (a == null || !a.isArray()) throw c.error("rope_scaling." + key, "must be an array of numbers");
        double[] f = new double[a.size()];
        for (int i = 0; i < f.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
                throw c.error("rope_scaling." + key, "must hold positive numbers, got " + v + " at index " + i);
            }
            f[i] = v.doubleValue();
        }
        return f;
    }
}
