package org.tessera.api;

import java.util.List;
import org.tessera.model.generate.GenerationConfig;

/**
 * Per-call generation settings; every null field keeps the model's default (its {@code generation_config.json},
 * else the model card's greedy decoding of up to 1024 tokens).
 *
 * @param maxNewTokens      most tokens to generate
 * @param temperature       0 for greedy; above 0 samples
 * @param topP              nucleus sampling, (0, 1]
 * @param topK              keep the k most likely tokens; 0 = off
 * @param repetitionPenalty 1 = off
 * @param seed              same seed, same answer
 * @param stop              texts that end the answer (cut before them)
 */
public record Sampling(Integer maxNewTokens, Double temperature, Double topP, Integer topK, Double repetitionPenalty,
                       Long seed, List<String> stop) {

    /** The model's defaults. */
    public static final Sampling MODEL_DEFAULT = new Sampling(null, null, null, null, null, null, null);

    public Sampling {
        stop = stop == null ? null : List.copyOf(stop);
    }

    /** Greedy decoding of at most {@code maxNewTokens}. */
    public static Sampling greedy(int maxNewTokens) {
        return new Sampling(maxNewTokens, 0.0, null, null, null, null, null);
    }

    public Sampling withMaxNewTokens(Integer v) { return new Sampling(v, temperature, topP, topK, repetitionPenalty, seed, stop); }

    public Sampling withTemperature(Double v) { return new Sampling(maxNewTokens, v, topP, topK, repetitionPenalty, seed, stop); }

    public Sampling withTopP(Double v) { return new Sampling(maxNewTokens, temperature, v, topK, repetitionPenalty, seed, stop); }

    public Sampling withTopK(Integer v) { return new Sampling(maxNewTokens, temperature, topP, v, repetitionPenalty, seed, stop); }

    public Sampling withRepetitionPenalty(Double v) { return new Sampling(maxNewTokens, temperature, topP, topK, v, seed, stop); }

    public Sampling withSeed(Long v) { return new Sampling(maxNewTokens, temperature, topP, topK, repetitionPenalty, v, stop); }

    public Sampling withStop(List<String> v) { return new Sampling(maxNewTokens, temperature, topP, topK, repetitionPenalty, seed, v); }

    /**
     * These settings over {@code base}. Setting a temperature above 0 on a greedy base turns sampling on with
     * Hugging Face's neutral filters (top-k off, top-p 1) unless they are given too.
     */
    GenerationConfig over(GenerationConfig base) {
        GenerationConfig g = base;
        if (maxNewTokens != null) g = g.withMaxNewTokens(maxNewTokens);
        if (temperature != null) g = g.withTemperature(temperature);
        if (topP != null) g = g.withTopP(topP);
        if (topK != null) g = g.withTopK(topK);
        if (repetitionPenalty != null) g = g.withRepetitionPenalty(repetitionPenalty);
        if (seed != null) g = g.withSeed(seed);
        if (stop != null) g = g.withStopStrings(stop);
        return g;
    }
}
