package org.tessera.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

class BicubicInterpolateTest {
    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Test
    void sameSizeIsTheIdentity() {
        // Fraction 0 gives weights (0, 1, 0, 0) exactly, so finite data passes through bit for bit.
        float[] x = random(3 * 7 * 5, 1);
        assertArrayEquals(x, BicubicInterpolate.interpolate(x, 3, 7, 5, 7, 5));
        assertArrayEquals(x, BicubicInterpolate.interpolate(x, 3, 7, 5, 7, 5, true));
    }

    @Test
    void twoSamplesToFourHandComputed() {
        // in = [0, 1], out 4: scale 0.5, sources -0.25, 0.25, 0.75, 1.25, fractions 0.75, 0.25, 0.75, 0.25.
        // Keys A = -0.75: k1(x) = 1.25x^3 - 2.25x^2 + 1, k2(x) = -0.75x^3 + 3.75x^2 - 6x + 3, so
        // k2(1.75) = -0.03515625, k1(0.75) = 0.26171875, k1(0.25) = 0.87890625, k2(1.25) = -0.10546875.
        // out[0]: taps -2..1 clamp to (0, 0, 0, 1): 1 * k2(1.25) = -0.10546875 on the [0, 1] ramp.
        // out[1]: taps -1..2 clamp to (0, 0, 1, 1): k1(0.75) + k2(1.75) = 0.2265625; the rest by symmetry.
        float[] out = BicubicInterpolate.interpolate(new float[] {0f, 1f}, 1, 1, 2, 1, 4);
        assertArrayEquals(new float[] {-0.10546875f, 0.2265625f, 0.7734375f, 1.10546875f}, out);
        // The same along the height axis, and on a second channel with another offset and slope.
        float[] col = BicubicInterpolate.interpolate(new float[] {0f, 1f, 10f, 8f}, 2, 2, 1, 4, 1);
        assertArrayEquals(new float[] {-0.10546875f, 0.2265625f, 0.7734375f, 1.10546875f,
                10.2109375f, 9.546875f, 8.453125f, 7.7890625f}, col);
    }

    @Test
    void alignCornersKeepsTheCorners() {
        // align_corners maps the corner samples onto each other: scale (3 - 1) / (5 - 1) = 0.5.
        float[] x = {1f, 5f, -2f};
        float[] out = BicubicInterpolate.interpolate(x, 1, 1, 3, 1, 5, true);
        assertEquals(1f, out[0]);
        assertEquals(5f, out[2]);
        assertEquals(-2f, out[4]);
        // Midpoint (t = 1/2) between 1 and 5, taps clamped to (1, 1, 5, -2): k2(1.5) = -0.09375, k1(0.5) = 0.59375,
        // so -0.09375 + 0.59375 + 2.96875 + 0.1875, exact in float.
        assertEquals(3.65625f, out[1]);
        // A single output sample reads the first input one (scale 0).
        assertArrayEquals(new float[] {1f}, BicubicInterpolate.interpolate(x, 1, 1, 3, 1, 1, true));
    }

    @Test
    void rampsShiftByTheKnownBiasOfAMinusThreeQuarters() {
        // For A = -0.75 the weights sum to 1 (constants are reproduced) but their first moment is off:
        // sum w_k (k - 1) - t = -(2A + 1) t (1 - t) (1 - 2t) = 0.5 t (1 - t) (1 - 2t). Check that analytically
        // known output on a ramp, away from the borders where clamping changes the taps.
        int inW = 40;
        int outW = 97;
        float[] ramp = new float[inW];
        for (int i = 0; i < inW; i++) ramp[i] = 3f * i - 7f;
        float[] out = BicubicInterpolate.interpolate(ramp, 1, 1, inW, 1, outW);
        double scale = (double) inW / outW;
        int checked = 0;
        for (int o = 0; o < outW; o++) {
            double src = scale * (o + 0.5) - 0.5;
            if (src < 2 || src > inW - 3) continue;
            double t = src - Math.floor(src);
            double expected = 3 * (src + 0.5 * t * (1 - t) * (1 - 2 * t)) - 7;
            assertEquals(expected, out[o], 1e-4, "o=" + o);
            checked++;
        }
        assertEquals(true, checked > 80);
        // At fraction 1/2 (an exact 2x reduction) the bias vanishes and the ramp comes out exactly.
        float[] half = BicubicInterpolate.interpolate(ramp, 1, 1, inW, 1, inW / 2);
        for (int o = 1; o < inW / 2 - 1; o++) assertEquals(3f * (2 * o + 0.5f) - 7f, half[o], 1e-5f);
    }

    @Test
    void constantsAreReproducedUpAndDown() {
        float[] flat = new float[2 * 9 * 13];
        java.util.Arrays.fill(flat, 0.375f);
        for (int[] s : new int[][] {{1, 1}, {9, 13}, {20, 3}, {4, 40}, {336, 336}}) {
            float[] out = BicubicInterpolate.interpolate(flat, 2, 9, 13, s[0], s[1]);
            assertEquals(2 * s[0] * s[1], out.length);
            for (float v : out) assertEquals(0.375f, v, 1e-6f);
        }
    }

    @Test
    void singleOutputSampleReadsTheCentre() {
        // Without align_corners the scale is in / out even for one output sample (torch computes it from the sizes):
        // 5 -> 1 gives scale 5, source 5 * 0.5 - 0.5 = 2, fraction 0, so exactly the middle sample.
        float[] x = {3f, -1f, 7.25f, 2f, 9f};
        assertArrayEquals(new float[] {7.25f}, BicubicInterpolate.interpolate(x, 1, 1, 5, 1, 1));
        assertArrayEquals(new float[] {7.25f}, BicubicInterpolate.interpolate(x, 1, 5, 1, 1, 1));
    }

    @Test
    void oneByOneInputFillsTheOutput() {
        // Every tap clamps to the single sample; the float weights' sum is 1 only to rounding (as in torch), so the
        // value comes back within an ulp or two rather than exactly.
        float[] out = BicubicInterpolate.interpolate(new float[] {2.5f, -1f}, 2, 1, 1, 3, 2);
        assertEquals(12, out.length);
        for (int i = 0; i < 12; i++) assertEquals(i < 6 ? 2.5f : -1f, out[i], 4e-6f, "i=" + i);
    }

    @Test
    void matchesAnIndependentDoubleReference() {
        // Non-square, up in one axis and down in the other, several channels: against a straightforward double
        // implementation of the same definition (torch's float rounding stays far below the tolerance).
        int c = 3, inH = 11, inW = 23, outH = 29, outW = 8;
        float[] x = random(c * inH * inW, 7);
        float[] out = BicubicInterpolate.interpolate(x, c, inH, inW, outH, outW);
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double v = 0;
                    double sy = (double) inH / outH * (oy + 0.5) - 0.5;
                    double sx = (double) inW / outW * (ox + 0.5) - 0.5;
                    int by = (int) Math.floor(sy), bx = (int) Math.floor(sx);
                    for (int j = -1; j <= 2; j++) {
                        for (int i = -1; i <= 2; i++) {
                            int yy = Math.clamp(by + j, 0, inH - 1), xx = Math.clamp(bx + i, 0, inW - 1);
                            v += keys(sy - (by + j)) * keys(sx - (bx + i)) * x[(ch * inH + yy) * inW + xx];
                        }
                    }
                    assertEquals(v, out[(ch * outH + oy) * outW + ox], 1e-5, ch + "," + oy + "," + ox);
                }
            }
        }
    }

    private static double keys(double x) {
        double a = -0.75;
        x = Math.abs(x);
        if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> BicubicInterpolate.interpolate(new float[5], 1, 2, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> BicubicInterpolate.interpolate(new float[6], 1, 2, 3, 0, 4));
    }
}
