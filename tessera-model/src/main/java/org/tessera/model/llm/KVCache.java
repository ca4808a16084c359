package org.tessera.model.llm;

import java.util.Arrays;
import org.tessera.model.ModelException;

/**
 * One sequence's state for a {@link DecoderModel}: the keys and values of every layer for the positions seen so far
 * (keys already rotated), plus the work buffers its forward passes reuse, so decoding a token allocates nothing.
 * Layout per layer {@code [position][kvHead][headDim]}, the order the k/v projections produce, so prefill writes
 * its projections straight in. Capacity doubles on demand up to the model's position limit.
 *
 * <p>Not thread-safe: one sequence is advanced by one thread at a time (different caches may run concurrently).
 */
public final class KVCache implements LanguageModel.Cache {
    final DecoderModel owner;
    final int kvDim;
    final int maxLength;
    float[][] k;
    float[][] v;
    int length;
    Scratch scratch;

    KVCache(DecoderModel owner, int layers, int kvDim, int maxLength, int initialCapacity) {
        this.owner = owner;
        this.kvDim = kvDim;
        this.maxLength = maxLength;
        int cap = Math.max(1, Math.min(initialCapacity, maxLength));
        this.k = new float[layers][cap * kvDim];
        this.v = new float[layers][cap * kvDim];
    }

    /** The cache as {@code model}'s own, or an error saying whose it is. */
    static KVCache of(LanguageModel.Cache c, DecoderModel model) {
        if (c instanceof KVCache k && k.owner == model) return k;
        String what = c == null ? "no cache" : c instanceof KVCache k ? "a cache of another " + k.owner.config().architecture() + " model"
                : "a " + c.getClass().getSimpleName();
        throw new ModelException(what + " was given to a " + model.config().architecture() + " model; use its newCache()");
    }

    @Override
    public int length() { return length; }

    @Override
    public int maxLength() { return maxLength; }

    @Override
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("cannot truncate " + length + " positions to " + newLength);
        length = newLength;
    }

    @Override
    public void clear() { length = 0; }

    int capacity() { return k[0].length / kvDim; }

    void ensureCapacity(int positions) {
        int cap = capacity();
        if (positions <= cap) return;
        int grown = (int) Math.min(maxLength, Math.max(positions, 2L * cap));
        for (int l = 0; l < k.length; l++) {
            k[l] = Arrays.copyOf(k[l], grown * kvDim);
            v[l] = Arrays.copyOf(v[l], grown * kvDim);
        }
    }

    /** Work buffers for forward passes of up to {@code rows} tokens, kept across calls. */
    static final class Scratch {
        final int rows;
        final float[] x, xn, q, att, gate, up, logits;
        /** The fused q/k/v rows of a {@link QkvProjection.Grouped} layer, {@code [rows][H + 2KV][d]}; null otherwise. */
        final float[] qkv;

        Scratch(LlmConfig c, boolean fused, int rows) {
            this.rows = rows;
            x = new float[rows * c.hiddenSize()];
            xn = new float[rows * c.hiddenSize()];
            q = new float[rows * c.qDim()];
            att = new float[rows * c.qDim()];
            gate = new float[rows * c.intermediateSize()];
            up = new float[rows * c.intermediateSize()];
            logits = new float[c.vocabSize()];
            qkv = fused ? new float[rows * (c.qDim() + 2 * c.kvDim())] : null;
        }
    }

    Scratch scratch(LlmConfig c, boolean fused, int rows) {
        if (scratch == null || scratch.rows < rows) scratch = new Scratch(c, fused, rows);
        return scratch;
    }
}
