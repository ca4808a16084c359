package org.tessera.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Numerically safe softmax: subtract the row maximum (so every exponent is ≤ 0 and nothing overflows), exponentiate,
 * scale by 1/Σ. Each output carries the exp error (≤ 1 ulp), the rounding of x − max (relative u in the exponent,
 * so ≤ u·|x − max| absolute in the log), the sum's γ_(n/8+3) and one multiply.
 */
public final class Softmax {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();

    private Softmax() {}

    /** Softmax of {@code x[off .. off+len)} in place. A row of all −∞ becomes NaN, as in PyTorch. */
    public static void softmaxInPlace(float[] x, int off, int len) {
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= len - L; i += L) mv = mv.max(FloatVector.fromArray(F, x, off + i));
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) max = Math.max(max, x[off + i]);
        FloatVector mb = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        i = 0;
        for (; i <= len - L; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + i).sub(mb));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        i = 0;
        for (; i <= len - L; i += L) FloatVector.fromArray(F, x, off + i).mul(inv).intoArray(x, off + i);
        for (; i < len; i++) x[off + i] *= inv;
    }

    /** Softmax of each row of {@code x[rows, len]} in place, rows in parallel. */
    public static void softmaxRows(float[] x, int rows, int len) {
        Norms.forRows(rows, len, (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxInPlace(x, r * len, len);
        });
    }
}
