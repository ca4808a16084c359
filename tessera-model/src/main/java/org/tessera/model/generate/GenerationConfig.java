package org.tessera.model.generate;

import java.util.Arrays;
import java.util.List;

/**
 * How {@link Generator} picks and stops: the knobs of Hugging Face {@code generate()} that InternVL's {@code chat()}
 * passes through (see internvl-architecture.md §5.3).
 *
 * <ul>
 *   <li>{@code temperature == 0} means greedy decoding (argmax), the equivalent of {@code do_sample=False}; any
 *       positive temperature samples. Negative or non-finite temperatures are rejected rather than silently clamped.</li>
 *   <li>{@code topK == 0} and {@code topP == 1} switch those filters off; {@code repetitionPenalty == 1} is no
 *       penalty. These are HF's neutral values, so a config copied from Python means the same thing here.</li>
 *   <li>Stop token ids end generation when sampled (the id is kept in the returned ids, as HF does, but never
 *       reaches the text). Stop strings end generation when they appear in the decoded text; the text is cut before
 *       them.</li>
 * </ul>
 *
 * @param maxNewTokens      at most this many tokens are generated (≥ 1)
 * @param temperature       0 for greedy, else the softmax temperature (&gt; 0, finite)
 * @param topK              keep only the k most likely tokens; 0 = off
 * @param topP              nucleus: keep the smallest most-likely set whose probability reaches top_p; in (0, 1], 1 = off
 * @param repetitionPenalty CTRL penalty on tokens already generated (&gt; 0, finite); 1 = off
 * @param seed              seeds the sampler's random stream; same seed, same config, same model: same tokens
 * @param stopTokenIds      ids that end generation (copied; may be empty)
 * @param stopStrings       texts that end generation (copied; non-empty strings; may be empty)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty, long seed,
                               int[] stopTokenIds, List<String> stopStrings) {

    public GenerationConfig {
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        if (!Double.isFinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or a positive finite number, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("topK must be 0 (off) or positive, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
        if (!Double.isFinite(repetitionPenalty) || repetitionPenalty <= 0) {
            throw new IllegalArgumentException("repetitionPenalty must be a positive finite number (1 = off), got " + repetitionPenalty);
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        for (int id : stopTokenIds) if (id < 0) throw new IllegalArgumentException("stop token id must not be negative, got " + id);
        if (stopStrings == null) stopStrings = List.of();
        for (String s : stopStrings) {
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("stop strings must be non-empty, got " + (s == null ? "null" : "\"\""));
        }
        stopStrings = List.copyOf(stopStrings);
    }

    /** Greedy decoding of at most {@code maxNewTokens}, stopping at {@code stopTokenIds}. */
    public static GenerationConfig greedy(int maxNewTokens, int... stopTokenIds) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 1, 0, stopTokenIds, List.of());
    }

    /** Plain sampling at {@code temperature} (no top-k / top-p / penalty) with {@code seed}. */
    public static GenerationConfig sampling(int maxNewTokens, double temperature, long seed, int... stopTokenIds) {
        if (temperature <= 0) throw new IllegalArgumentException("sampling needs a positive temperature, got " + temperature + "; use greedy()");
        return new GenerationConfig(maxNewTokens, temperature, 0, 1, 1, seed, stopTokenIds, List.of());
    }

    /** What the model cards pass to {@code chat()}: {@code dict(max_new_tokens=1024, do_sample=False)}. */
    public static final int MODEL_CARD_MAX_NEW_TOKENS = 1024;

    /**
     * The defaults a checkpoint's {@code generation_config.json} sets, read as Hugging Face's {@code generate()}
     * reads them: {@code do_sample} false (or absent) means greedy whatever the temperature says; with
     * {@code do_sample} true, HF's own defaults fill the gaps (temperature 1, top_k 50, top_p 1).
     * {@code max_new_tokens} defaults to the model cards' 1024. Stop tokens are not taken from it:
     * InternVL's {@code chat()} replaces {@code eos_token_id} with its template's separator, and so does tessera
     * (the caller adds it). A missing file gives the model-card defaults; a malformed one an error naming the key.
     */
    public static GenerationConfig fromModelDirectory(java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("generation_config.json");
        if (!java.nio.file.Files.isRegularFile(file)) return greedy(MODEL_CARD_MAX_NEW_TOKENS);
        org.tessera.model.ConfigNode c = org.tessera.model.ConfigNode.read(file);
        int max = c.intOr("max_new_tokens", MODEL_CARD_MAX_NEW_TOKENS);
        if (max < 1) throw c.error("max_new_tokens", max + " is not positive");
        if (!c.boolOr("do_sample", false)) return greedy(max);
        try {
            return new GenerationConfig(max, c.doubleOr("temperature", 1.0), c.intOr("top_k", 50), c.doubleOr("top_p", 1.0),
                    c.doubleOr("repetition_penalty", 1.0), 0, new int[0], List.of());
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    /** Whether tokens are drawn at random (temperature &gt; 0) rather than taken by argmax. */
    public boolean sampling() {
        return temperature > 0;
    }

    public boolean isStopToken(int id) {
        for (int s : stopTokenIds) if (s == id) return true;
        return false;
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    public GenerationConfig withMaxNewTokens(int n) {
        return new GenerationConfig(n, temperature, topK, topP, repetitionPenalty, seed, stopTokenIds, stopStrings);
    }

    public GenerationConfig withTemperature(double t) {
        return new GenerationConfig(maxNewTokens, t, topK, topP, repetitionPenalty, seed, stopTokenIds, stopStrings);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, temperature, k, topP, repetitionPenalty, seed, stopTokenIds, stopStrings);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, temperature, topK, p, repetitionPenalty, seed, stopTokenIds, stopStrings);
    }

    public GenerationConfig withRepetitionPenalty(double r) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, r, seed, stopTokenIds, stopStrings);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, s, stopTokenIds, stopStrings);
    }

    public GenerationConfig withStopTokenIds(int... ids) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, ids, stopStrings);
    }

    public GenerationConfig withStopStrings(List<String> s) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stopTokenIds, s);
    }

    // Arrays compare by identity in a record's generated methods; compare contents instead.
    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && maxNewTokens == g.maxNewTokens && Double.compare(temperature, g.temperature) == 0
                && topK == g.topK && Double.compare(topP, g.topP) == 0 && Double.compare(repetitionPenalty, g.repetitionPenalty) == 0
                && seed == g.seed && Arrays.equals(stopTokenIds, g.stopTokenIds) && stopStrings.equals(g.stopStrings);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(stopTokenIds) + java.util.Objects.hash(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stopStrings);
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK + ", topP=" + topP
                + ", repetitionPenalty=" + repetitionPenalty + ", seed=" + seed + ", stopTokenIds=" + Arrays.toString(stopTokenIds)
                + ", stopStrings=" + stopStrings + "]";
    }
}
