package org.tessera.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise activations: exact (erf-based) GELU as InternViT uses it, SiLU and the SwiGLU product of Qwen2 /
 * InternLM2 MLPs. Arrays are processed 8 floats at a time with a scalar tail that evaluates the same formulas.
 *
 * <h2>erf without Math.erf</h2>
 * Java has no erf, and the Vector API no ERF operator, so GELU(x) = x·Φ(x) is computed from the normal tail
 * Q(|x|) = Φ(−|x|) = ½·erfc(z), z = |x|/√2, by two approximations fitted for this class (weighted least squares on
 * the relative error, then checked on 10⁵+ points against a double-precision erf):
 * <ul>
 *   <li>z &lt; ½: erf(z) = z·P(z²), P of degree 4; relative error ≤ 1.4·10⁻⁹ (5.7·10⁻⁸ ≈ 1u once the coefficients
 *       are rounded to f32). Then Q = ½(1 − erf), where the cancellation is mild (erf(½) = 0.52).</li>
 *   <li>z ≥ ½: erfc(z) = e^(−z²)·R(t), t = 1/(1 + z/2), R of degree 10 approximating the scaled function
 *       erfcx(z) = e^(z²)·erfc(z), which is smooth and slowly varying (~1/(z√π)); relative error ≤ 2.2·10⁻⁹
 *       (3.4·10⁻⁸ with f32 coefficients). The deep tail is where naive float code goes wrong: erfc's relative
 *       sensitivity to z is 2z², so rounding z = x/√2 would cost 2z²·u (~160 u at x = −13). Here e^(−z²) = e^(−x²/2)
 *       is formed from x directly, with x² split exactly into hi + lo by an FMA, as e^(−hi/2)·(1 − lo/2); only R
 *       sees the rounded z, and R's relative sensitivity to z is below 1.</li>
 * </ul>
 * Error bound for Φ, in units of u = 2⁻²⁴: approximation ≤ 1; Horner evaluation with FMAs ≤ (degree)·cond·u with the
 * measured condition numbers Σ|cᵢtⁱ|/|R(t)| ≤ 1.25 (large branch) and 1.19 (small): ≤ 13; t's two roundings ≤ 2;
 * exp ≤ 2 (1 ulp: Math.exp in the scalar form; in the array form {@link VectorMath#exp}, specified within 2 ulp and
 * measured ≤ 1.01 ulp on [−87.3, 0], which also made it a third faster than the Vector API's EXP: 2.85 → 1.9 ns
 * per element on one core); the lo correction, the products and ½(1 − ·) ≤ 4; so |ΔΦ/Φ| ≤ ~22u, and GELU = x·Φ adds one more
 * rounding. These are worst-case sums; GeluTest measures the actual maximum (a few u) on a dense sweep and checks the
 * 24u bound. Past |x| ≈ 14.2, Q underflows to 0 in f32 and GELU(x) = x·1 or −0.
 */
public final class Activations {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();

    private static final float INV_SQRT2 = 0.70710678118654752f;
    // erf(z)/z = P(z²) on [0, 1/2]
    private static final float S0 = 1.1283791655726432f, S1 = -0.37612608600983294f, S2 = 0.11282823211997386f,
            S3 = -0.02675720553435475f, S4 = 0.004718027549704079f;
    // erfcx(z) = R(1/(1 + z/2)) on [1/2, 14]
    private static final float R0 = 9.894344944732426e-07f, R1 = 0.2820592017635669f, R2 = 0.2826460106609532f,
            R3 = 0.2420039872479063f, R4 = 0.2027016084013373f, R5 = -0.009495043161398611f, R6 = 0.20689549328782952f,
            R7 = -0.3430812777439848f, R8 = 0.1221841757172946f, R9 = 0.03842331715969769f, R10 = -0.024363269447186725f;
    /** |x| is clamped here for Φ: z = 19.5/√2 ≈ 13.8 stays in R's fitted range, Q(19.5) = 0 in f32, and x² and t stay finite for |x| = ∞. */
    private static final float CLAMP = 19.5f;

    private Activations() {}

    // ---- scalar forms (the array tails use these; also public for callers that need a single value) ----------

    /** erf(z) for 0 ≤ z ≤ ½: z·P(z²). */
    private static float erfSmall(float z) {
        float z2 = z * z;
        return z * Math.fma(Math.fma(Math.fma(Math.fma(S4, z2, S3), z2, S2), z2, S1), z2, S0);
    }

    /** erfc(z) for ½ ≤ z ≤ 14, given z² = hi + lo exactly: e^(−hi)·(1 − lo)·R(1/(1 + z/2)). */
    private static float erfcLarge(float z, float hi, float lo) {
        float t = 1f / Math.fma(z, 0.5f, 1f);
        float r = R10;
        r = Math.fma(r, t, R9); r = Math.fma(r, t, R8); r = Math.fma(r, t, R7); r = Math.fma(r, t, R6);
        r = Math.fma(r, t, R5); r = Math.fma(r, t, R4); r = Math.fma(r, t, R3); r = Math.fma(r, t, R2);
        r = Math.fma(r, t, R1); r = Math.fma(r, t, R0);
        return (float) Math.exp(-hi) * Math.fma(lo, -1f, 1f) * r;
    }

    /** erf(x), relative error within the bound of the class comment (≲ 22u) for every float x. */
    public static float erf(float x) {
        float ax = Math.min(Math.abs(x), 14f);
        if (Float.isNaN(x)) return x;
        float r = ax < 0.5f ? erfSmall(ax) : 1f - erfcLarge(ax, ax * ax, Math.fma(ax, ax, -(ax * ax)));
        return Math.copySign(r, x);
    }

    /** erfc(x) = 1 − erf(x), accurate relative to itself also in the far tail (x up to ~10, where it underflows). */
    public static float erfc(float x) {
        float ax = Math.min(Math.abs(x), 14f);
        if (Float.isNaN(x)) return x;
        if (ax < 0.5f) return 1f - Math.copySign(erfSmall(ax), x);
        float e = erfcLarge(ax, ax * ax, Math.fma(ax, ax, -(ax * ax)));
        return x < 0 ? 2f - e : e;
    }

    /**
     * Q(|x|) = Φ(−|x|) = P(N(0,1) > |x|), the normal upper tail. With z = |x|/√2, Q = ½·erfc(z), and z² = x²/2 is
     * formed from x exactly (hi/2 + lo/2), so the tail keeps its relative accuracy down to underflow.
     */
    public static float normalTail(float x) {
        float ax = Math.min(Math.abs(x), CLAMP);
        float z = ax * INV_SQRT2;
        if (z < 0.5f) return 0.5f * (1f - erfSmall(z));
        float hi = ax * ax, lo = Math.fma(ax, ax, -hi);
        return 0.5f * erfcLarge(z, 0.5f * hi, 0.5f * lo);
    }

    /** Φ(x), the standard normal CDF. */
    public static float normalCdf(float x) {
        float q = normalTail(x);
        return x < 0 ? q : 1f - q;
    }

    /** Exact GELU: x·Φ(x) (PyTorch's {@code gelu(x, approximate='none')}). */
    public static float gelu(float x) {
        float phi = normalCdf(x);
        return phi == 0f ? -0f : x * phi; // x = −∞ gives −0, the limit, not NaN
    }

    /**
     * SiLU (swish): x·σ(x). σ is formed from e = e^(−|x|) ∈ (0, 1] as 1/(1+e) or e/(1+e), which never overflows
     * (the textbook x/(1 + e^(−x)) gives −0 instead of ≈ x·e^x for x < −88) and keeps relative accuracy (≤ 6u).
     */
    public static float silu(float x) {
        float e = (float) Math.exp(-Math.abs(x));
        return x * ((x >= 0 ? 1f : e) / (1f + e));
    }

    // ---- array forms ------------------------------------------------------------------------------------------

    /**
     * {@code out[outOff + i] = gelu(x[xOff + i])} for i < len; in place when the ranges coincide. The vector code is
     * written out in the loop body on purpose: as a helper method taking and returning a FloatVector it was too big
     * for C2 to inline ("hot method too big"), and a vector crossing a real call is boxed — 4.3 ns per element
     * instead of well under one.
     */
    public static void gelu(float[] x, int xOff, float[] out, int outOff, int len) {
        FloatVector one = FloatVector.broadcast(F, 1f), negZero = FloatVector.broadcast(F, -0f);
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            // Q(|x|), as normalTail(float): two branches evaluated lane-wise and blended.
            FloatVector ax = v.abs().min(CLAMP);
            FloatVector z = ax.mul(INV_SQRT2);
            FloatVector z2 = z.mul(z);
            FloatVector p = z2.fma(FloatVector.broadcast(F, S4), FloatVector.broadcast(F, S3)).fma(z2, FloatVector.broadcast(F, S2))
                    .fma(z2, FloatVector.broadcast(F, S1)).fma(z2, FloatVector.broadcast(F, S0));
            FloatVector qSmall = one.sub(z.mul(p)).mul(0.5f);
            FloatVector t = one.div(z.fma(0.5f, 1f));
            FloatVector r = t.fma(FloatVector.broadcast(F, R10), FloatVector.broadcast(F, R9));
            r = r.fma(t, FloatVector.broadcast(F, R8));
            r = r.fma(t, FloatVector.broadcast(F, R7));
            r = r.fma(t, FloatVector.broadcast(F, R6));
            r = r.fma(t, FloatVector.broadcast(F, R5));
            r = r.fma(t, FloatVector.broadcast(F, R4));
            r = r.fma(t, FloatVector.broadcast(F, R3));
            r = r.fma(t, FloatVector.broadcast(F, R2));
            r = r.fma(t, FloatVector.broadcast(F, R1));
            r = r.fma(t, FloatVector.broadcast(F, R0));
            FloatVector hi = ax.mul(ax);
            FloatVector lo = ax.fma(ax, hi.neg());
            FloatVector e = VectorMath.exp(hi.mul(-0.5f)).mul(lo.fma(-0.5f, 1f));
            FloatVector qLarge = e.mul(r).mul(0.5f);
            FloatVector q = qSmall.blend(qLarge, z.compare(VectorOperators.GE, 0.5f));
            // Φ(x) = Q for x < 0, 1 − Q otherwise; GELU = x·Φ, −0 where Φ underflowed (x = −∞ included).
            FloatVector phi = one.sub(q).blend(q, v.compare(VectorOperators.LT, 0f));
            v.mul(phi).blend(negZero, phi.compare(VectorOperators.EQ, 0f)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) out[outOff + i] = gelu(x[xOff + i]);
    }

    /** In-place GELU over a whole array, rows in parallel. */
    public static void gelu(float[] x) {
        parallelChunks(x.length, (s, e) -> gelu(x, s, x, s, e - s));
    }

    /** {@code out[i] = silu(x[i])}. */
    public static void silu(float[] x, int xOff, float[] out, int outOff, int len) {
        siluMul(x, xOff, null, 0, out, outOff, len);
    }

    /**
     * SwiGLU: {@code out[i] = silu(gate[i]) · up[i]} (the Qwen2 / InternLM2 MLP), {@code out} may alias either input;
     * {@code up == null} gives plain SiLU.
     */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int len) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = 0;
        for (; i <= len - L; i += L) { // written out in the loop, not in a helper: see gelu on boxing
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector e = VectorMath.exp(g.abs().neg());
            FloatVector num = one.blend(e, g.compare(VectorOperators.LT, 0f));
            FloatVector y = g.mul(num.div(e.add(1f)));
            if (up != null) y = y.mul(FloatVector.fromArray(F, up, uOff + i));
            y.intoArray(out, outOff + i);
        }
        for (; i < len; i++) out[outOff + i] = up == null ? silu(gate[gOff + i]) : silu(gate[gOff + i]) * up[uOff + i];
    }

    /** Splits [0, n) into cache-sized chunks over the pool; small arrays run inline. */
    static void parallelChunks(int n, org.tessera.core.Parallel.BlockBody body) {
        if (n < 1 << 16) {
            body.run(0, n);
            return;
        }
        int chunk = 1 << 14;
        int chunks = (n + chunk - 1) / chunk;
        org.tessera.core.Parallel.forBlocks(chunks, (c0, c1) -> body.run(c0 * chunk, Math.min(n, c1 * chunk)));
    }
}
