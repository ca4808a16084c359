package org.tessera.api;

/**
 * A prompt (image tokens included) is longer than the model's context or the limit set with
 * {@link VisionLanguageModel.Options#maxPromptTokens}. Thrown before the images are encoded.
 */
public final class PromptTooLongException extends IllegalArgumentException {
    private final int tokens;
    private final int limit;

    public PromptTooLongException(int tokens, int limit, String message) {
        super(message);
        this.tokens = tokens;
        this.limit = limit;
    }

    /** Tokens of the prompt. */
    public int tokens() { return tokens; }

    /** The most it may have. */
    public int limit() { return limit; }
}
