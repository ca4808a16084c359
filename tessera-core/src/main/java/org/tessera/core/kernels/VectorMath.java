package org.tessera.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector maths whose results do not depend on how the JVM runs them. The Vector API leaves two things open that
 * change the bits: {@code lanewise(EXP)} calls a vector maths library once C2 compiles it but a per-lane Java
 * fallback before, and {@code reduceLanes(ADD)} may add lanes in a different order in the two. So the same prompt
 * gave different logits early and late in a process (JitTierDeterminismTest caught it). Both are written here
 * with plain IEEE operations (add, mul, fma, exact lane moves) in a fixed order, which every tier computes the same.
 */
public final class VectorMath {
    private VectorMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND = 12582912f; // 1.5 · 2^23
    // ln 2 split so that n·LN2_HI is exact for |n| < 2^9 (Cody–Waite reduction).
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Below this exp rounds to 0 in float (half the smallest subnormal, 2^-150). */
    private static final float EXP_LO = -103.97208f;
    /** Above this exp overflows to +∞. */
    private static final float EXP_HI = 88.72284f;
    // Minimax polynomial for (e^r − 1 − r) / r² on |r| ≤ ln2/2 (the Cephes expf coefficients).
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /**
     * e^x per lane, within 2 ulp of the exact value for normal results, subnormal results rounded once: 0 below
     * −103.97 (and for −∞), +∞ above 88.72 (and for +∞), NaN for NaN.
     */
    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector c = x.max(EXP_LO).min(EXP_HI);
        // n = round(c·log2 e): adding 1.5·2²³ leaves the rounded integer in the low mantissa bits (|c·log2 e| < 2²²).
        FloatVector n = c.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUND)).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(s, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(s, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(s, P0);
        p = p.fma(r, FloatVector.broadcast(s, P1));
        p = p.fma(r, FloatVector.broadcast(s, P2));
        p = p.fma(r, FloatVector.broadcast(s, P3));
        p = p.fma(r, FloatVector.broadcast(s, P4));
        p = p.fma(r, FloatVector.broadcast(s, P5));
        FloatVector e = p.mul(r.mul(r)).add(r).add(1f);
        // 2^n built from its exponent bits; n ∈ [−150, 128] after the clamp, so 2^n = 2^h·2^(n−h) with h = n/2 keeps both
        // factors normal, and a subnormal result is rounded only by the last multiplication.
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector two1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector two2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = e.mul(two1).mul(two2);
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_LO);
        VectorMask<Float> over = x.compare(VectorOperators.GT, EXP_HI);
        y = y.blend(FloatVector.zero(s), under).blend(FloatVector.broadcast(s, Float.POSITIVE_INFINITY), over);
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * The sum of the lanes in a fixed pairwise order: lane i is added to lane i + w for w = L/2, L/4, …, 1 (exact lane
     * moves and lane-wise adds), so every tier of the JVM gives the same bits.
     */
    public static float sum(FloatVector v) {
        VectorSpecies<Float> s = v.species();
        if (s == FloatVector.SPECIES_256) {
            // The same tree through shuffles held in static final fields, which C2 treats as constants (array
            // elements it does not): the generic loop below cost the bf16 matrix-vector kernel, one sum per row,
            // about a tenth of its speed.
            v = v.add(v.rearrange(SWAP4_256));
            v = v.add(v.rearrange(SWAP2_256));
            v = v.add(v.rearrange(SWAP1_256));
            return v.lane(0);
        }
        for (int w = s.length() / 2; w >= 1; w /= 2) v = v.add(v.rearrange(swap(s, w)));
        return v.lane(0);
    }

    private static final VectorShuffle<Float> SWAP4_256 = VectorShuffle.fromOp(FloatVector.SPECIES_256, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2_256 = VectorShuffle.fromOp(FloatVector.SPECIES_256, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1_256 = VectorShuffle.fromOp(FloatVector.SPECIES_256, i -> i ^ 1);

    private static final VectorShuffle<Float>[] SWAP_256 = shuffles(FloatVector.SPECIES_256);
    private static final VectorShuffle<Float>[] SWAP_128 = shuffles(FloatVector.SPECIES_128);
    private static final VectorShuffle<Float>[] SWAP_512 = shuffles(FloatVector.SPECIES_512);
    private static final VectorShuffle<Float>[] SWAP_PREFERRED = shuffles(FloatVector.SPECIES_PREFERRED);

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] shuffles(VectorSpecies<Float> s) {
        VectorShuffle<Float>[] out = new VectorShuffle[s.length()];
        for (int w = 1; w < s.length(); w *= 2) {
            final int ww = w;
            out[w] = VectorShuffle.fromOp(s, i -> i ^ ww);
        }
        return out;
    }

    private static VectorShuffle<Float> swap(VectorSpecies<Float> s, int w) {
        if (s == FloatVector.SPECIES_256) return SWAP_256[w];
        if (s == FloatVector.SPECIES_128) return SWAP_128[w];
        if (s == FloatVector.SPECIES_512) return SWAP_512[w];
        if (s == FloatVector.SPECIES_PREFERRED) return SWAP_PREFERRED[w];
        return VectorShuffle.fromOp(s, i -> i ^ w);
    }
}
