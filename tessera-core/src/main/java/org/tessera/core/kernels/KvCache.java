package org.tessera.core.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * A key/value cache for one attention layer, stored directly in the panel layouts {@link Attention}'s micro-kernel
 * reads, so a decode step does not re-pack the whole cache. With Qwen2-0.5B's shapes (14 query heads, 2 KV heads
 * × 64, 2048 cached positions) a decode step's attention takes ~83 µs from this cache against ~195 µs from plain
 * arrays, where re-packing was more than half of the time.
 * <ul>
 *   <li>keys: {@code [kvHead][pos/16][headDim][pos%16]} — 16-key panels, one row of 16 keys per dimension;</li>
 *   <li>values: {@code [kvHead][dim/16][pos][dim%16]} — 16-dimension panels, one row per position.</li>
 * </ul>
 * f32, so positions' keys (after RoPE) and values are kept exactly as computed. Not thread-safe for writers; any
 * number of attention calls may read it while nobody appends.
 */
public final class KvCache {
    private static final int P = Gemm.NR; // panel width (keys per K panel, dims per V panel)

    private final int kvHeads;
    private final int headDim;
    private final int dPanels;
    private final int capacity; // a multiple of 16
    final float[] k;
    final float[] v;
    private int length;

    /** An empty cache for up to {@code capacity} positions. */
    public KvCache(int kvHeads, int headDim, int capacity) {
        if (kvHeads <= 0 || headDim <= 0 || capacity <= 0) throw new IllegalArgumentException("sizes must be positive");
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.dPanels = (headDim + P - 1) / P;
        this.capacity = (capacity + P - 1) / P * P;
        long kSize = (long) kvHeads * this.capacity * headDim, vSize = (long) kvHeads * dPanels * this.capacity * P;
        if (kSize > Integer.MAX_VALUE - 16 || vSize > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("cache too large for one array");
        this.k = new float[(int) kSize];
        this.v = new float[(int) vSize];
    }

    public int kvHeads() { return kvHeads; }
    public int headDim() { return headDim; }
    /** Positions it can hold. */
    public int capacity() { return capacity; }
    /** Positions held: 0 .. length−1. */
    public int length() { return length; }

    /**
     * Appends {@code tokens} positions. {@code keys} and {@code values} hold {@code [tokens][kvHeads][headDim]} from
     * {@code kOff}/{@code vOff} — the layout of the k and v projections (keys after RoPE).
     */
    public void append(float[] keys, int kOff, float[] values, int vOff, int tokens) {
        int stride = kvHeads * headDim;
        Objects.checkFromIndexSize(kOff, tokens * stride, keys.length);
        Objects.checkFromIndexSize(vOff, tokens * stride, values.length);
        if (length + tokens > capacity) throw new IllegalStateException("cache full: " + length + " + " + tokens + " > " + capacity);
        for (int t = 0; t < tokens; t++) {
            int pos = length + t;
            for (int h = 0; h < kvHeads; h++) {
                int src = (t * kvHeads + h) * headDim;
                int kb = keyIndex(h, pos, 0);
                for (int i = 0; i < headDim; i++) k[kb + i * P] = keys[kOff + src + i];
                for (int jd = 0; jd < dPanels; jd++) {
                    int i0 = jd * P, n = Math.min(P, headDim - i0);
                    System.arraycopy(values, vOff + src + i0, v, valueIndex(h, pos, i0), n);
                }
            }
        }
        length += tokens;
    }

    /** Drops positions ≥ {@code newLength} (e.g. rejected speculative tokens); their slots are zeroed. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("length " + newLength + " outside [0, " + length + "]");
        for (int pos = newLength; pos < length; pos++) {
            for (int h = 0; h < kvHeads; h++) {
                int kb = keyIndex(h, pos, 0);
                for (int i = 0; i < headDim; i++) k[kb + i * P] = 0f;
                for (int jd = 0; jd < dPanels; jd++) {
                    int at = valueIndex(h, pos, jd * P);
                    Arrays.fill(v, at, at + P, 0f);
                }
            }
        }
        length = newLength;
    }

    /** The cached key element (pos, kvHead, i). */
    public float key(int pos, int kvHead, int i) {
        Objects.checkIndex(pos, length);
        return k[keyIndex(kvHead, pos, i)];
    }

    /** The cached value element (pos, kvHead, i). */
    public float value(int pos, int kvHead, int i) {
        Objects.checkIndex(pos, length);
        return v[valueIndex(kvHead, pos, i)];
    }

    /** Index of key (pos, head, dim i): panel pos/16 of head h, row i, column pos%16. */
    int keyIndex(int h, int pos, int i) {
        return ((h * (capacity / P) + pos / P) * headDim + i) * P + pos % P;
    }

    /** Index of value (pos, head, dim i): panel i/16 of head h, row pos, column i%16. */
    int valueIndex(int h, int pos, int i) {
        return ((h * dPanels + i / P) * capacity + pos) * P + i % P;
    }

    /** Distance between consecutive 16-dimension V panels of one head. */
    int valuePanelStride() {
        return capacity * P;
    }
}
