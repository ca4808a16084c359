package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Phi-3's LongRoPE tables against the formulas of the reference code, evaluated in double on the same f32 angles. */
class LongRopeTest {
    static final int HD = 96; // Phi-3-mini's head size: 48 factors

    static double[] factors(double from, double to) {
        double[] f = new double[HD / 2];
        for (int i = 0; i < f.length; i++) f[i] = from + (to - from) * Math.pow((double) i / (f.length - 1), 2);
        return f;
    }

    @Test
    void magnitudeIsTheReferenceFormula() {
        // Phi-3-mini-128k: 131072 / 4096 = 32 → sqrt(1 + ln 32 / ln 4096) = sqrt(1 + 5/12)
        assertEquals(Math.sqrt(17.0 / 12), LongRope.magnitude(131072, 4096), 1e-15);
        assertEquals(1.0, LongRope.magnitude(4096, 4096));
        assertEquals(1.0, LongRope.magnitude(2048, 4096));
    }

    /**
     * Each rotated output is a·c ± b·s with c, s the f32 table entries (cos/sin of the f32 angle, rounded, times the
     * f32 magnitude, rounded): against the same in double the error is ≤ 3u·(|a·c| + |b·s|) + the two table
     * roundings (2u each): 1e-6 relative to the magnitude-scaled norm bounds it.
     */
    @Test
    void tablesRotateWithScaledFrequenciesAndMagnitude() {
        double base = 10000;
        double[] shortF = factors(1.0, 1.2), longF = factors(1.0, 40.0);
        LongRope r = new LongRope(HD, base, shortF, longF, 64, 512);
        double m = Math.sqrt(1 + Math.log(8.0) / Math.log(64.0));
        assertEquals(m, r.magnitude(), 1e-7);
        Random rnd = new Random(1);
        for (int[] c : new int[][] {{64, 0}, {64, 63}, {65, 64}, {512, 511}, {300, 17}}) {
            int length = c[0], pos = c[1];
            boolean isLong = length > 64;
            Rope t = r.forSequenceLength(length);
            assertSame(isLong ? r.longTable() : r.shortTable(), t);
            double[] f = isLong ? longF : shortF;
            float[] x = new float[HD];
            for (int i = 0; i < HD; i++) x[i] = (float) rnd.nextGaussian();
            float[] y = x.clone();
            t.apply(y, 0, 1, pos);
            for (int i = 0; i < HD / 2; i++) {
                float inv = 1f / ((float) f[i] * (float) Math.pow(base, (float) (2 * i) / (float) HD));
                float angle = (float) pos * inv;
                double cos = Math.cos(angle) * m, sin = Math.sin(angle) * m;
                double want1 = x[i] * cos - x[i + HD / 2] * sin, want2 = x[i + HD / 2] * cos + x[i] * sin;
                double scale = m * (Math.abs(x[i]) + Math.abs(x[i + HD / 2]));
                assertTrue(Math.abs(y[i] - want1) <= 1e-6 * scale, "pair " + i + " at " + pos + ": " + y[i] + " vs " + want1);
                assertTrue(Math.abs(y[i + HD / 2] - want2) <= 1e-6 * scale, "pair " + i + " at " + pos);
            }
        }
        assertNotSame(r.shortTable(), r.longTable());
        assertEquals(64, r.shortTable().maxPositions());
        assertEquals(512, r.longTable().maxPositions());
        assertThrows(IndexOutOfBoundsException.class, () -> r.forSequenceLength(513));
        assertThrows(IndexOutOfBoundsException.class, () -> r.shortTable().apply(new float[HD], 0, 1, 64));
    }

    @Test
    void standardFrequenciesThroughTheNewConstructorAreThePlainTables() {
        Rope a = new Rope(64, 1e6, 100), b = new Rope(Rope.inverseFrequencies(64, 1e6), 1f, 100);
        for (int p = 0; p < 100; p++) {
            for (int i = 0; i < 32; i++) {
                assertEquals(a.cos(p, i), b.cos(p, i));
                assertEquals(a.sin(p, i), b.sin(p, i));
            }
        }
    }

    @Test
    void refusesBadFactors() {
        assertThrows(IllegalArgumentException.class, () -> new LongRope(HD, 1e4, new double[3], factors(1, 2), 16, 64));
        double[] zero = factors(1, 2);
        zero[5] = 0;
        assertThrows(IllegalArgumentException.class, () -> new LongRope(HD, 1e4, zero, factors(1, 2), 16, 64));
    }
}
