package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Activations, norms, softmax and RoPE against double-precision references; tolerances argued per test. */
class ElementwiseTest {
    static final double U = KernelTestData.U;

    @Test
    void referenceErfIsRight() {
        // Known values (to double precision) and agreement of the series with the continued fraction where both apply.
        assertEquals(0.8427007929497149, ReferenceKernels.erf(1.0), 2e-16);
        assertEquals(0.1124629160182849, ReferenceKernels.erf(0.1), 2e-16);
        assertEquals(2.2090496998585441e-05, ReferenceKernels.erfc(3.0), 1e-19);
        assertEquals(1.5374597944280349e-12, ReferenceKernels.erfc(5.0), 1e-26);
        assertEquals(2.0884875837625446e-45, ReferenceKernels.erfc(10.0), 1e-58);
        // Below 1.5 the reference uses the series; the continued fraction must agree there too (it converges
        // more slowly the smaller x is, so this also shows 1000 levels are plenty at the switch point).
        for (double x = 1.0; x < 1.5; x += 0.02) {
            double f = x;
            for (int n = 1000; n >= 1; n--) f = x + (n / 2.0) / f;
            double cf = Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
            assertEquals(cf, ReferenceKernels.erfc(x), 1e-13 * cf, "series vs continued fraction at " + x);
        }
    }

    /**
     * Dense sweep of f32 inputs: every 997th bit pattern with |x| in [2⁻²⁰, 30], both signs, plus specials. The
     * argued bound (Activations' class comment) is 22u on Φ plus one rounding for x·Φ: 24u relative. Below x ≈ −13,
     * Φ(x) < 2⁻¹²⁶ is itself subnormal in f32 and carries an absolute error up to one subnormal step 2⁻¹⁴⁹, so those
     * outputs also get |x|·2⁻¹⁴⁹ of absolute slack.
     */
    @Test
    void geluWithin24uEverywhere() {
        int lo = Float.floatToRawIntBits(0x1p-20f), hi = Float.floatToRawIntBits(30f);
        int count = 0;
        double worst = 0;
        float[] xs = new float[4096];
        float[] ys = new float[4096];
        int fill = 0;
        for (int sign = 0; sign < 2; sign++) {
            for (int b = lo; b <= hi; b += 997) {
                xs[fill++] = sign == 0 ? Float.intBitsToFloat(b) : -Float.intBitsToFloat(b);
                if (fill == xs.length) {
                    worst = Math.max(worst, checkGelu(xs, ys, fill));
                    count += fill;
                    fill = 0;
                }
            }
        }
        worst = Math.max(worst, checkGelu(xs, ys, fill));
        count += fill;
        assertTrue(count > 400_000);
        System.out.printf("gelu: %d inputs, max relative error %.2f u%n", count, worst);
        assertEquals(0f, Activations.gelu(0f));
        assertEquals(Float.POSITIVE_INFINITY, Activations.gelu(Float.POSITIVE_INFINITY));
        assertEquals(-0f, Activations.gelu(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Activations.gelu(Float.NaN)));
        float[] v = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f, 1f, -1f, 3f};
        Activations.gelu(v, 0, v, 0, 8);
        assertEquals(-0f, v[0]);
        assertEquals(Float.POSITIVE_INFINITY, v[1]);
        assertTrue(Float.isNaN(v[2]));
    }

    /** Checks the vector path (array call) and the scalar path on xs; returns the worst error in units of u. */
    private static double checkGelu(float[] xs, float[] ys, int n) {
        Activations.gelu(xs, 0, ys, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double want = ReferenceKernels.gelu(xs[i]);
            for (float got : new float[] {ys[i], Activations.gelu(xs[i])}) {
                double err = Math.abs(got - want);
                double tol = 24 * U * Math.abs(want) + (Math.abs(xs[i]) + 2) * Float.MIN_VALUE;
                if (!(err <= tol)) fail("gelu(" + xs[i] + ") = " + got + ", want " + want + ", err " + err / (U * Math.abs(want)) + " u");
                if (Math.abs(want) >= 0x1p-100) worst = Math.max(worst, err / (U * Math.abs(want)));
            }
        }
        return worst;
    }

    @Test
    void erfAndErfcWithin24u() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            float x = (float) ((r.nextDouble() * 2 - 1) * (i % 2 == 0 ? 1.0 : 10.0));
            double e = ReferenceKernels.erf(x), c = ReferenceKernels.erfc(x);
            float ge = Activations.erf(x), gc = Activations.erfc(x);
            assertTrue(Math.abs(ge - e) <= 24 * U * Math.abs(e) + Float.MIN_VALUE * 2, () -> "erf(" + x + ") = " + ge + " want " + e);
            assertTrue(Math.abs(gc - c) <= 24 * U * Math.abs(c) + Float.MIN_VALUE * 2, () -> "erfc(" + x + ") = " + gc + " want " + c);
        }
    }

    /**
     * SiLU = x·σ(x) with σ from e = e^(−|x|): e ≤ 1 ulp (2u), 1 + e one rounding (no cancellation) whose error
     * reaches σ at most once, the division u, the product u: ≤ 6u (7u with the SwiGLU product). Includes
     * x = −100, whose e^(−x) would overflow f32 in the naive formula and give −0 instead of −3.7·10⁻⁴². There e itself
     * is subnormal (absolute error up to 2⁻¹⁴⁹), hence |x|·2⁻¹⁴⁹ of absolute slack.
     */
    @Test
    void siluAndSwiGlu() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 1003;
        float[] g = KernelTestData.gaussian(r, n, 4), up = KernelTestData.gaussian(r, n, 1), out = new float[n], prod = new float[n];
        g[0] = -100f;
        g[1] = 100f;
        Activations.silu(g, 0, out, 0, n);
        Activations.siluMul(g, 0, up, 0, prod, 0, n);
        for (int i = 0; i < n; i++) {
            double want = ReferenceKernels.silu(g[i]);
            assertEquals(want, out[i], 6 * U * Math.abs(want) + (Math.abs(g[i]) + 1) * Float.MIN_VALUE, "silu " + g[i]);
            assertEquals(want * up[i], prod[i], 7 * U * Math.abs(want * up[i]) + (Math.abs(g[i] * up[i]) + 1) * Float.MIN_VALUE, "silu*up " + g[i]);
        }
    }

    /**
     * LayerNorm error: the mean comes from an 8-lane sum of n/8 terms, |Δμ| ≤ γ_(n/8+3)·mean|x|; x − μ adds u·|x − μ|;
     * the variance is first-order insensitive to Δμ (d/dμ Σ(x−μ)² = 0 at the mean) and has relative error
     * ≤ γ_(n/8+3) + 2u; 1/√(var+eps) halves that and adds 2u (double sqrt, f32 rounding); then ·inv, ·γ, +β: 3u.
     * So |Δy| ≤ |γ|·inv·(Δμ + u|x−μ|) + |y−β|·(γ_(n/8+3)/2 + 6u) + u|y|. Data with mean 10 and std 1 makes Δμ matter.
     */
    @Test
    void layerNormAndRmsNorm() {
        SplittableRandom r = new SplittableRandom(4);
        for (int dim : new int[] {7, 64, 1027}) {
            int rows = 5;
            float[] x = KernelTestData.gaussian(r, rows * dim, 1.0);
            for (int i = 0; i < x.length; i++) x[i] += 10f;
            float[] gamma = KernelTestData.gaussian(r, dim, 1.0), beta = KernelTestData.gaussian(r, dim, 1.0);
            float[] out = new float[rows * dim];
            Norms.layerNorm(x, out, rows, dim, gamma, beta, 1e-6f);
            double[] want = ReferenceKernels.layerNorm(x, rows, dim, gamma, beta, 1e-6f);
            double g = KernelTestData.gamma(dim / 8 + 3);
            for (int row = 0; row < rows; row++) {
                double meanAbs = 0, mean = 0, var = 0;
                for (int i = 0; i < dim; i++) { meanAbs += Math.abs(x[row * dim + i]); mean += x[row * dim + i]; }
                meanAbs /= dim;
                mean /= dim;
                for (int i = 0; i < dim; i++) var += Math.pow(x[row * dim + i] - mean, 2);
                double inv = 1 / Math.sqrt(var / dim + 1e-6);
                for (int i = 0; i < dim; i++) {
                    int k = row * dim + i;
                    double yb = want[k] - beta[i];
                    double tol = Math.abs(gamma[i]) * inv * (g * meanAbs + U * Math.abs(x[k] - mean))
                            + Math.abs(yb) * (g / 2 + 6 * U) + U * Math.abs(want[k]);
                    assertEquals(want[k], out[k], tol, "layerNorm dim " + dim + " at " + k);
                }
            }
            // RMSNorm: Σx² relative error γ_(n/8+3) → inv relative γ/2 + 2u, then two products: 2u.
            float[] w = KernelTestData.gaussian(r, dim, 1.0);
            Norms.rmsNorm(x, out, rows, dim, w, 1e-6f);
            double[] want2 = ReferenceKernels.rmsNorm(x, rows, dim, w, 1e-6f);
            for (int k = 0; k < rows * dim; k++) {
                assertEquals(want2[k], out[k], Math.abs(want2[k]) * (g / 2 + 5 * U) + Float.MIN_VALUE, "rmsNorm dim " + dim + " at " + k);
            }
        }
    }

    /**
     * Softmax output i: exp ≤ 2u, x − max rounded (u·|x − max| absolute in the exponent, so that much relative),
     * Σ over n/8-term lanes γ_(n/8+3) (each term also carries its own 2u + u|x−max|), one multiply: u.
     */
    @Test
    void softmaxRows() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : new int[] {1, 5, 8, 100, 1025}) {
            int rows = 3;
            float[] x = KernelTestData.gaussian(r, rows * len, 5);
            float[] got = x.clone();
            Softmax.softmaxRows(got, rows, len);
            for (int row = 0; row < rows; row++) {
                double[] want = ReferenceKernels.softmax(x, row * len, len);
                double max = Double.NEGATIVE_INFINITY, spread = 0;
                for (int i = 0; i < len; i++) max = Math.max(max, x[row * len + i]);
                for (int i = 0; i < len; i++) spread = Math.max(spread, max - x[row * len + i]);
                double sum = 0;
                for (int i = 0; i < len; i++) sum += got[row * len + i];
                assertEquals(1.0, sum, 1e-5);
                for (int i = 0; i < len; i++) {
                    double rel = 2 * U + U * (max - x[row * len + i]) + KernelTestData.gamma(len / 8 + 3) + 3 * U + U * spread + U;
                    assertEquals(want[i], got[row * len + i], rel * want[i] + Float.MIN_VALUE, "softmax len " + len + " at " + i);
                }
            }
        }
        float[] allMasked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Softmax.softmaxInPlace(allMasked, 0, 2);
        assertTrue(Float.isNaN(allMasked[0]));
    }

    /** RoPE: each output is a·c ± b·s in f32: ≤ 3u·(|a·c| + |b·s|) against the same angles in double. */
    @Test
    void ropeRotateHalf() {
        SplittableRandom r = new SplittableRandom(6);
        for (int headDim : new int[] {2, 6, 64, 128}) {
            Rope rope = new Rope(headDim, 1_000_000.0, 5000);
            int heads = 3, tokens = 4, pos0 = 4990;
            float[] x = KernelTestData.gaussian(r, tokens * heads * headDim, 1);
            float[] y = x.clone();
            rope.applyTokens(y, tokens, heads, pos0);
            int half = headDim / 2;
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    int off = (t * heads + h) * headDim;
                    double[] want = ReferenceKernels.rope(x, off, headDim, pos0 + t, 1_000_000.0);
                    for (int i = 0; i < headDim; i++) {
                        int j = i < half ? i + half : i - half;
                        double tol = 3 * U * (Math.abs(x[off + i]) + Math.abs(x[off + j])) + 1e-30;
                        assertEquals(want[i], y[off + i], tol, "headDim " + headDim + " t " + t + " h " + h + " i " + i);
                    }
                }
            }
        }
        // Position 0 is the identity.
        Rope rope = new Rope(8, 10000, 4);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] y = x.clone();
        rope.apply(y, 0, 1, 0);
        assertTrue(java.util.Arrays.equals(x, y));
    }
}
