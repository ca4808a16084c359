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

    /** Tables for positions [0, maxPositions). */
    public Rope(int headDim, double base, int maxPositions) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("head dim must be even and positive, got " + headDim);
        if (maxPositions <= 0) throw new IllegalArgumentException("maxPositions must be positive");
        this.headDim = headDim;
        this.half = headDim / 2;
        this.maxPositions = maxPositions;
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        float[] invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            invFreq[i] = 1f / (float) Math.pow(base, exponent);
        }
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
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
