package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    static float[] exp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += F.length()) VectorMath.exp(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        return out;
    }

    @Test
    void expIsWithinTwoUlpOfTheExactValue() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 176 - 88);
        for (int i = 0; i < 64; i++) x[i] = (float) (r.nextDouble() * 2e-3 - 1e-3); // near 0
        float[] y = exp(x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            if (exact < Float.MIN_NORMAL * 2 || exact > Float.MAX_VALUE / 2) continue;
            worst = Math.max(worst, Math.abs(y[i] - exact) / Math.ulp((float) exact));
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp");
    }

    @Test
    void expSpecialValues() {
        float[] x = {0f, -0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -110f, 100f, 1f, -100f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        float[] y = exp(x);
        assertEquals(1f, y[0]);
        assertEquals(1f, y[1]);
        assertEquals(0f, y[2]);
        assertEquals(Float.POSITIVE_INFINITY, y[3]);
        assertTrue(Float.isNaN(y[4]));
        assertEquals(0f, y[5]);
        assertEquals(Float.POSITIVE_INFINITY, y[6]);
        assertEquals((float) Math.E, y[7], Math.ulp((float) Math.E) * 2);
        assertEquals((float) Math.exp(-100), y[8], Float.MIN_VALUE); // subnormal, rounded once
    }

    @Test
    void sumAddsLanesPairwiseInAFixedOrder() {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 1000; t++) {
            float[] v = new float[F.length()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 7)));
            // w = 4: (0+4) (1+5) (2+6) (3+7); w = 2: (0+4)+(2+6), (1+5)+(3+7); w = 1: the two added.
            float a = (v[0] + v[4]) + (v[2] + v[6]);
            float b = (v[1] + v[5]) + (v[3] + v[7]);
            assertEquals(Float.floatToRawIntBits(a + b), Float.floatToRawIntBits(VectorMath.sum(FloatVector.fromArray(F, v, 0))));
        }
    }
}
