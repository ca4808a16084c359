package org.tessera.model.qwen2;

import java.util.Arrays;
import org.tessera.model.ModelException;
import org.tessera.model.llm.LanguageModel;

/**
 * One sequence's state for {@link Qwen2Model}: the keys and values of every layer for the positions seen so far
 * (keys already rotated), plus the work buffers its forward passes reuse, so decoding a token allocates nothing.
 * Layout per layer {@code [position][kvHead][headDim]}, the order the k/v projections produce, so prefill writes
 * its projections straight in. Capacity doubles on demand up to {@code max_position_embeddings}.
 *
 * <p>Not thread-safe: one sequence is advanced by one thread at a time (different caches may run concurrently).
 */
public final class KVCache implements LanguageModel.Cache {
    final int kvDim;
    final int maxLength;
    float[][] k;
    float[][] v;
    int length;
    Scratch scratch;

    KVCache(int layers, int kvDim, int maxLength, int initialCapacity) {
        this.kvDim = kvDim;
        this.maxLength = maxLength;
        int cap = Math.max(1, Math.min(initialCapacity, maxLength));
        this.k = new float[layers][cap * kvDim];
        this.v = new float[layers][cap * kvDim];
    }

    static KVCache of(LanguageModel.Cache c) {
        if (c instanceof KVCache k) return k;
        throw new ModelException("a " + (c == null ? "null" : c.getClass().getSimpleName()) + " cache was given to a Qwen2 model; use its newCache()");
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

        Scratch(Qwen2Config c, int rows) {
            this.rows = rows;
            x = new float[rows * c.hiddenSize()];
            xn = new float[rows * c.hiddenSize()];
            q = new float[rows * c.qDim()];
            att = new float[rows * c.qDim()];
            gate = new float[rows * c.intermediateSize()];
            up = new float[rows * c.intermediateSize()];
            logits = new float[c.vocabSize()];
        }
    }

    Scratch scratch(Qwen2Config c, int rows) {
        if (scratch == null || scratch.rows < rows) scratch = new Scratch(c, rows);
        return scratch;
    }
}
