package org.tessera.model.text;

/**
 * Text to token ids and back, with the behaviour of the Hugging Face tokenizer a checkpoint ships with.
 *
 * <p>Conventions shared by every implementation:
 * <ul>
 *   <li>Added tokens written in the text ({@code <|im_start|>}, {@code <IMG_CONTEXT>}, ...) become their ids, as
 *       Hugging Face tokenizers do by default. Nothing else is added by {@link #encode(String)}.</li>
 *   <li>{@link #encode(String, boolean)} with {@code addSpecialTokens = true} is what {@code tokenizer(text)} returns
 *       in Python: it adds whatever the tokenizer's post-processor or configuration adds (InternLM2: {@code <s>} in
 *       front; Qwen2: nothing). {@code chat()} tokenizes its query this way.</li>
 *   <li>{@link #tokenId(String)} returns -1 for a token that is not in the vocabulary (Python returns {@code None} or
 *       the unknown-token id; -1 makes the absence impossible to miss and never aliases a real id).</li>
 *   <li>Ids outside {@code [0, vocabSize())} or unassigned ids passed to {@link #decode} throw
 *       {@link IllegalArgumentException}.</li>
 * </ul>
 * Implementations are immutable and safe to share between threads; a {@link StreamingDecoder} is not.
 */
public interface Tokenizer {

    /** Token ids of {@code text}; added tokens written in the text become their ids; no BOS/EOS is added. */
    default int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Token ids of {@code text}. With {@code addSpecialTokens}, the ids the tokenizer adds around a single sequence
     * (see {@link #prefixTokens()} and {@link #suffixTokens()}) are included, as Python's {@code tokenizer(text)}.
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Ids that {@code encode(text, true)} puts in front of the text (InternLM2: {@code [1]} for {@code <s>}). */
    int[] prefixTokens();

    /** Ids that {@code encode(text, true)} appends (empty for every InternVL tokenizer). */
    int[] suffixTokens();

    /** Convenience for the InternLM2-style prompt: {@code encode(text, true)}. */
    default int[] encodeWithBos(String text) {
        return encode(text, true);
    }

    /**
     * The text of {@code ids}. With {@code skipSpecial}, tokens flagged special (see {@link #isSpecial}) are left
     * out, as {@code tokenizer.decode(ids, skip_special_tokens=True)}.
     */
    String decode(int[] ids, boolean skipSpecial);

    /** The id of a token given by its vocabulary string ({@code convert_tokens_to_ids}), or -1 when absent. */
    int tokenId(String token);

    /** The vocabulary string of an id ({@code convert_ids_to_tokens}), or null when the id is unassigned. */
    String token(int id);

    /**
     * Size of the id space: one more than the largest id, added tokens included. This is {@code len(tokenizer)} in
     * Python whenever the ids are contiguous, which they are for the InternVL checkpoints (151674 for InternVL2_5-1B,
     * 92553 for InternVL2-2B), and it is the number of embedding rows the model was resized to.
     */
    int vocabSize();

    /** Whether {@code decode(..., skipSpecial = true)} drops this id. */
    boolean isSpecial(int id);

    /** A fresh incremental decoder; see {@link StreamingDecoder}. */
    StreamingDecoder streamingDecoder(boolean skipSpecial);
}
