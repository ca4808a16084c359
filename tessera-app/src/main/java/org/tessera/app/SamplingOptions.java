package org.tessera.app;

import java.util.List;
import org.tessera.api.Sampling;
import picocli.CommandLine.Option;

/** Generation settings on the command line; anything not given keeps the model's generation_config.json. */
public final class SamplingOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens to generate (default: the model's, else 1024).")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 for greedy decoding (the model cards' choice); above 0 samples.")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold in (0, 1].")
    Double topP;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens (0 = off).")
    Integer topK;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Penalise tokens already generated (1 = off).")
    Double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed for sampling: same seed, same answer.")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (repeatable).")
    List<String> stop;

    public Sampling toSampling() {
        return new Sampling(maxNewTokens, temperature, topP, topK, repetitionPenalty, seed, stop);
    }
}
