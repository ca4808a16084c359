package org.tessera.model.text;

import java.util.Objects;

/**
 * A token added on top of a tokenizer's trained vocabulary ({@code added_tokens} in {@code tokenizer.json},
 * {@code added_tokens_decoder} in {@code tokenizer_config.json}). Such tokens are cut out of the text before the
 * model's own algorithm runs, so {@code "<|im_start|>"} written in a prompt becomes one id.
 *
 * @param id         the token id
 * @param content    the exact text that is matched
 * @param special    skipped by {@code decode(ids, skipSpecial=true)}
 * @param lstrip     a match also swallows the whitespace before it
 * @param rstrip     a match also swallows the whitespace after it
 * @param singleWord only matches when not glued to a word character on either side
 * @param normalized matched against the normalized text (after NFC etc.) instead of the raw text
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
                         boolean singleWord, boolean normalized) {

    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (content.isEmpty()) throw new IllegalArgumentException("added token " + id + " has empty content");
        if (id < 0) throw new IllegalArgumentException("added token '" + content + "' has negative id " + id);
    }

    /** A special token with no stripping and no normalization, as InternVL's nine added tokens are. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, true, false, false, false, false);
    }
}
