package org.tessera.core.kernels;

/**
 * Phi-3's LongRoPE (rope_scaling type {@code "su"}, renamed {@code "longrope"} in later configs): rotate-half RoPE
 * whose inverse frequencies are divided pair by pair by a list of factors, and whose cos and sin are scaled by one
 * magnitude. As the Phi-3 reference code ({@code Phi3SuScaledRotaryEmbedding}, and transformers' later
 * {@code longrope} parameters) computes them:
 * <pre>
 *   inv_freq[i] = 1 / (factor[i] · base^(2i/d))           all in float32, factor = short_factor or long_factor
 *   factor      = long_factor  if the sequence length L > original_max_position_embeddings
 *                 short_factor otherwise
 *   cos, sin    = cos(pos · inv_freq) · m, sin(pos · inv_freq) · m
 *   m           = sqrt(1 + ln(s) / ln(original)),  s = max_position_embeddings / original   (m = 1 when s ≤ 1)
 * </pre>
 * The reference picks the factors per forward call from that call's largest position id + 1, so the caller decides
 * which length a call counts as ({@link #forSequenceLength}); keys already cached keep the rotation they were made
 * with, as in the reference's cache.
 *
 * <p>The short table covers positions below {@code original} (the only ones a short sequence has); the long table,
 * up to {@code maxPositions}, is built on first use, since most sequences never need it (Phi-3-mini-128k: 131072
 * positions × 48 pairs, 50 MB).
 */
public final class LongRope {
    private final int headDim;
    private final double base;
    private final float[] longFactor;
    private final int original;
    private final int maxPositions;
    private final float magnitude;
    private final Rope shortTable;
    private volatile Rope longTable;

    /**
     * @param shortFactor          {@code rope_scaling.short_factor}, headDim/2 values (rounded to f32, as torch.tensor does)
     * @param longFactor           {@code rope_scaling.long_factor}, headDim/2 values
     * @param originalMaxPositions {@code original_max_position_embeddings}
     * @param maxPositions         {@code max_position_embeddings}: the long table's size and the magnitude's numerator
     */
    public LongRope(int headDim, double base, double[] shortFactor, double[] longFactor, int originalMaxPositions, int maxPositions) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("head dim must be even and positive, got " + headDim);
        if (shortFactor.length != headDim / 2 || longFactor.length != headDim / 2) {
            throw new IllegalArgumentException("short and long factors need headDim/2 = " + headDim / 2 + " values each, got "
                    + shortFactor.length + " and " + longFactor.length);
        }
        if (originalMaxPositions <= 0 || maxPositions <= 0) throw new IllegalArgumentException("position counts must be positive");
        this.headDim = headDim;
        this.base = base;
        this.original = originalMaxPositions;
        this.maxPositions = maxPositions;
        this.longFactor = toF32(longFactor);
        this.magnitude = (float) magnitude(maxPositions, originalMaxPositions);
        this.shortTable = new Rope(inverseFrequencies(headDim, base, toF32(shortFactor)), magnitude, Math.min(original, maxPositions));
    }

    /** {@code sqrt(1 + ln(max / original) / ln(original))}, or 1 when max ≤ original. */
    public static double magnitude(int maxPositions, int originalMaxPositions) {
        double s = (double) maxPositions / originalMaxPositions;
        return s <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(s) / Math.log(originalMaxPositions));
    }

    /** {@code 1 / (factor[i] · base^(2i/d))} with every step rounded to f32. */
    public static float[] inverseFrequencies(int headDim, double base, float[] factor) {
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float scaled = factor[i] * Rope.powF32(base, i, headDim);
            inv[i] = 1f / scaled;
        }
        return inv;
    }

    private static float[] toF32(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!(a[i] > 0) || Double.isInfinite(a[i])) throw new IllegalArgumentException("rope factors must be positive and finite, got " + a[i]);
            f[i] = (float) a[i];
        }
        return f;
    }

    public int headDim() { return headDim; }

    /** {@code original_max_position_embeddings}: sequences up to this length use the short factors. */
    public int originalMaxPositions() { return original; }

    public int maxPositions() { return maxPositions; }

    /** The magnitude m the tables carry. */
    public float magnitude() { return magnitude; }

    /** The table for a forward call over a sequence of {@code length} positions (its positions are &lt; length). */
    public Rope forSequenceLength(int length) {
        if (length > maxPositions) throw new IndexOutOfBoundsException("sequence of " + length + " exceeds " + maxPositions + " positions");
        return length <= original ? shortTable : longTable();
    }

    public Rope shortTable() { return shortTable; }

    /** The long-factor table (built on first call). */
    public Rope longTable() {
        Rope t = longTable;
        if (t == null) {
            synchronized (this) {
                t = longTable;
                if (t == null) longTable = t = new Rope(inverseFrequencies(headDim, base, longFactor), magnitude, maxPositions);
            }
        }
        return t;
    }
}
