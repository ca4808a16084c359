package org.tessera.api;

import java.util.Objects;

/**
 * A prompt as the language model receives it: token ids and input embeddings {@code [ids.length, hidden]} with the
 * images' features in the {@code <IMG_CONTEXT>} rows (see {@link VisionLanguageModel#embedPrompt}).
 *
 * @param ids        the prompt's token ids, special tokens included
 * @param embeddings {@code [ids.length, hidden]}, row-major
 * @param hidden     the language model's hidden size
 */
public record PromptEmbeddings(int[] ids, float[] embeddings, int hidden) {
    public PromptEmbeddings {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(embeddings, "embeddings");
        if ((long) ids.length * hidden != embeddings.length) {
            throw new IllegalArgumentException(ids.length + " ids need " + (long) ids.length * hidden + " embedding values, got "
                    + embeddings.length);
        }
    }

    /** Number of prompt tokens. */
    public int length() { return ids.length; }
}
