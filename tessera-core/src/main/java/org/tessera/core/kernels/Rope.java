package org.tessera.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding in the "rotate half" form of Qwen2, InternLM2 and HF LLaMA: for a head vector
 * x of even size d, with h = d/2 and θᵢ = pos·base^(−2i/d),
 * <pre>  out[i]     = x[i]·cos θᵢ − x[i+h]·sin θᵢ
 *   out[i + h] = x[i+h]·cos θᵢ + x[i]·sin θᵢ      (i &lt; h)</pre>
 * The angle table is built the way the HF code builds it in float32 (inv_freq = 1/base^(2i/d) rounded to f32, the
 * angle pos·inv_freq rounded to f32, then cos/sin), because at positions in the thousands a more exact angle would
 * differ from the checkpoints' training-time values by more than f32 resolution.
 */
public final class Rope {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();

    private final int headDim;
    private final int half;
    private final int maxPositions;
    private final float[] cos; // [maxPositions][half]
    private final float[] sin;

    /** Tables for positions [0, maxPositions) with the standard frequencies {@link #inverseFrequencies}. */
    public Rope(int headDim, double base, int maxPositions) {
        this(inverseFrequencies(headDim, base), 1f, maxPositions);
    }

    /**
     * Tables for positions [0, maxPositions) from explicit inverse frequencies (one per rotated pair, so the head
     * dim is {@code 2 · invFreq.length}), with cos and sin multiplied by {@code magnitude} in f32 as torch multiplies
     * its f32 tables by a Python float. This is what the scaled variants need: Phi-3's LongRoPE ("su") divides each
     * frequency by a per-pair factor and scales the magnitude (see {@link LongRope}); magnitude 1 is plain RoPE.
     * The angle is still {@code (float) pos · invFreq[i]} rounded to f32.
     */
    public Rope(float[] invFreq, float magnitude, int maxPositions) {
        if (invFreq.length == 0) throw new IllegalArgumentException("need at least one frequency");
        if (maxPositions <= 0) throw new IllegalArgumentException("maxPositions must be positive");
        if (!(magnitude > 0) || Float.isInfinite(magnitude)) throw new IllegalArgumentException("magnitude must be positive and finite, got " + magnitude);
        this.half = invFreq.length;
        this.headDim = 2 * half;
        this.maxPositions = maxPositions;
        long size = (long) maxPositions * half;
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("table of " + maxPositions + " × " + half + " is too large");
        this.cos = new float[(int) size];
        this.sin = new float[(int) size];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle) * magnitude;
                sin[p * half + i] = (float) Math.sin(angle) * magnitude;
            }
        }
    }

    /**
     * The standard inverse frequencies as the HF code computes them in float32: {@code 1 / base^(2i/d)} for
     * i &lt; d/2, the exponent {@code (float) 2i / (float) d} and the power rounded to f32.
     */
    public static float[] inverseFrequencies(int headDim, double base) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("head dim must be even and positive, got " + headDim);
        if (!(base > 0)) throw new IllegalArgumentException("rope base must be positive, got " + base);
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = 1f / powF32(base, i, headDim);
        return invFreq;
    }

    /** {@code base^(2i/d)} with the exponent in f32 and the result rounded to f32 (torch's f32 pow). */
    static float powF32(double base, int i, int headDim) {
        float exponent = (float) (2 * i) / (float) headDim;
        return (float) Math.pow(base, exponent);
    }

    public int headDim() { return headDim; }
    public int maxPositions() { return maxPositions; }
    public float cos(int pos, int i) { return cos[pos * half + i]; }
    public float sin(int pos, int i) { return sin[pos * half + i]; }

    /**
     * Rotates, in place, {@code heads} consecutive head vectors of one token starting at {@code x[off]} (layout
     * {@code [heads][headDim]}), all at position {@code pos}.
     */
    public void apply(float[] x, int off, int heads, int pos) {
        if (pos < 0 || pos >= maxPositions) throw new IndexOutOfBoundsException("position " + pos + " outside the table [0, " + maxPositions + ")");
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int a = off + h * headDim, b = a + half;
            int i = 0;
            for (; i <= half - L; i += L) {
                FloatVector c = FloatVector.fromArray(F, cos, t + i), s = FloatVector.fromArray(F, sin, t + i);
                FloatVector x1 = FloatVector.fromArray(F, x, a + i), x2 = FloatVector.fromArray(F, x, b + i);
                x1.mul(c).sub(x2.mul(s)).intoArray(x, a + i);
                x2.mul(c).add(x1.mul(s)).intoArray(x, b + i);
            }
            for (; i < half; i++) {
                float c = cos[t + i], s = sin[t + i];
                float x1 = x[a + i], x2 = x[b + i];
                x[a + i] = x1 * c - x2 * s;
                x[b + i] = x2 * c + x1 * s;
            }
        }
    }

    /** Rotates {@code tokens} tokens of {@code [tokens][heads][headDim]} in place, token t at position pos0 + t. */
    public void applyTokens(float[] x, int tokens, int heads, int pos0) {
        int stride = heads * headDim;
        Norms.forRows(tokens, stride, (t0, t1) -> {
            for (int t = t0; t < t1; t++) apply(x, t * stride, heads, pos0 + t);
        });
    }
}
