package org.tessera.model.llm;

/**
 * A causal language model as the rest of tessera sees it: token embeddings in, logits out, one sequence's state in
 * a {@link Cache}. Each family (Qwen2, InternLM2, Phi-3) implements it in its own package; the vision side, the
 * prompt builder and the generator only talk to this interface.
 *
 * <p>Implementations are thread-safe across caches: all mutable state of a sequence lives in its cache, so
 * concurrent callers each bring their own.
 */
public interface LanguageModel {

    /** One sequence's keys and values (and work buffers). Not thread-safe; advance it from one thread at a time. */
    interface Cache {
        /** Positions held; the next token goes to position {@code length()}. */
        int length();

        /** Positions that fit before the model's {@code max_position_embeddings}. */
        int maxLength();

        /** Forgets positions from {@code newLength} on; keeps the memory. */
        void truncate(int newLength);

        /** Forgets everything; keeps the memory for the next sequence. */
        default void clear() { truncate(0); }
    }

    int vocabSize();

    int hiddenSize();

    /** {@code max_position_embeddings}: the longest sequence the model accepts. */
    int maxPositions();

    /** A new, empty sequence with room for {@code positions} tokens before it grows. */
    Cache newCache(int positions);

    /** A new, empty sequence. */
    default Cache newCache() { return newCache(256); }

    /** Writes the embedding rows of {@code ids} into {@code out[off ..)} as {@code [ids.length, hidden]}. */
    void embed(int[] ids, float[] out, int off);

    /** The embeddings of {@code ids}, {@code [ids.length, hidden]}. */
    default float[] embed(int[] ids) {
        float[] out = new float[Math.multiplyExact(ids.length, hiddenSize())];
        embed(ids, out, 0);
        return out;
    }

    /**
     * Appends {@code tokens} positions given as embeddings {@code [tokens, hidden]} and returns the logits of every
     * one of them, {@code [tokens, vocab]} (a new array).
     */
    float[] forward(float[] embeds, int tokens, Cache cache);

    /**
     * Appends {@code tokens} positions given as embeddings and returns the logits of the last one only,
     * {@code [vocab]}; the array belongs to the cache and stays valid until the next call with it.
     */
    float[] prefill(float[] embeds, int tokens, Cache cache);

    /** Appends one token and returns its logits {@code [vocab]}, the cache's buffer as in {@link #prefill}. */
    float[] decode(int token, Cache cache);

    /** Bytes of weights one decoded token reads (every layer's matrices and the head; not the embedding table). */
    long decodeWeightBytes();
}
