package org.tessera.model.llm;

/**
 * What the shared decoder ({@link DecoderModel}) needs to know of a language model's hyper-parameters; each family's
 * config record (Qwen2, InternLM2, Phi-3) implements it next to its own, family-specific values (biases, RoPE
 * scaling, fused layouts).
 */
public interface LlmConfig {
    /** The {@code architectures[0]} this config was parsed as, e.g. {@code Qwen2ForCausalLM}. */
    String architecture();

    int vocabSize();

    int hiddenSize();

    int intermediateSize();

    int numLayers();

    int numHeads();

    int numKvHeads();

    int headDim();

    double rmsNormEps();

    /** {@code rope_theta}, the RoPE base. */
    double ropeTheta();

    /** The longest sequence this runtime runs for the model (normally {@code max_position_embeddings}). */
    int maxPositions();

    /** {@code tie_word_embeddings}: the LM head is the embedding matrix. */
    boolean tieWordEmbeddings();

    default int qDim() { return numHeads() * headDim(); }

    default int kvDim() { return numKvHeads() * headDim(); }

    /** Names the limit {@link #maxPositions()} comes from, for error messages. */
    default String positionLimit() { return "max_position_embeddings " + maxPositions(); }
}
