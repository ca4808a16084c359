package org.tessera.model;

/**
 * Double-precision building blocks of the test references ({@link ReferenceInternVL} and the language-model
 * references of each family): straight loops over plain arrays, no kernels, no blocking, materialised attention
 * matrices. Nothing here is shared with the production code.
 */
public final class RefMath {
    private RefMath() {}

    /** silu(x) = x·σ(x). */
    public static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** y[i] = W·x[i] + b with W [out, in] row-major. */
    public static double[][] linear(double[][] x, double[] w, double[] b, int out) {
        int in = x[0].length;
        if (w.length != out * in) throw new AssertionError("weight size " + w.length + " != " + out + "x" + in);
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int k = 0; k < in; k++) s += w[o * in + k] * x[i][k];
                y[i][o] = s;
            }
        }
        return y;
    }

    /** softmax(q·kᵀ/√d)·v per head, GQA by h / (heads / kvHeads), optionally causal. Rows are [heads·hd]. */
    public static double[][] attention(double[][] q, double[][] k, double[][] v, int heads, int kvHeads, int hd, boolean causal) {
        return attention(q, k, v, heads, kvHeads, hd, causal ? 0 : -1);
    }

    /**
     * As above with the queries at absolute positions {@code qPos0 + i} over keys at positions 0 … k.length − 1:
     * query i sees keys up to position qPos0 + i; {@code qPos0 = -1} means no mask.
     */
    public static double[][] attention(double[][] q, double[][] k, double[][] v, int heads, int kvHeads, int hd, int qPos0) {
        int n = q.length, m = k.length, group = heads / kvHeads;
        double scale = 1 / Math.sqrt(hd);
        double[][] out = new double[n][heads * hd];
        for (int h = 0; h < heads; h++) {
            int kh = h / group;
            for (int i = 0; i < n; i++) {
                int visible = qPos0 >= 0 ? qPos0 + i + 1 : m;
                double[] s = new double[visible];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    double dot = 0;
                    for (int e = 0; e < hd; e++) dot += q[i][h * hd + e] * k[j][kh * hd + e];
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j < visible; j++) {
                    for (int e = 0; e < hd; e++) out[i][h * hd + e] += s[j] / sum * v[j][kh * hd + e];
                }
            }
        }
        return out;
    }

    /**
     * transformers' inverse frequencies in float32: {@code 1 / (factor[i] · base^((float) 2i / d))}, each step
     * rounded to float as torch does (factor null = all 1, the plain RoPE of Qwen2 and InternLM2).
     */
    public static float[] invFreq(int hd, double base, double[] factor) {
        float[] inv = new float[hd / 2];
        for (int i = 0; i < hd / 2; i++) {
            float pow = (float) Math.pow(base, (float) (2 * i) / (float) hd);
            inv[i] = factor == null ? 1f / pow : 1f / ((float) factor[i] * pow);
        }
        return inv;
    }

    /**
     * Rotate-half RoPE in place on {@code heads} head vectors of x at position pos: angle = pos·invFreq rounded to
     * float (the reference's float32 matmul of one term), then cos and sin in double, times {@code magnitude}.
     */
    public static void rope(double[] x, int heads, int hd, int pos, float[] invFreq, double magnitude) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) pos * invFreq[i];
                double cos = Math.cos(angle) * magnitude, sin = Math.sin(angle) * magnitude;
                double a = x[h * hd + i], b = x[h * hd + half + i];
                x[h * hd + i] = a * cos - b * sin;
                x[h * hd + half + i] = b * cos + a * sin;
            }
        }
    }

    public static double[] layerNorm(double[] x, double[] w, double[] b, double eps) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double var = 0;
        for (double v : x) var += (v - mean) * (v - mean);
        var /= x.length;
        double inv = 1 / Math.sqrt(var + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
        return y;
    }

    public static double[] rmsNorm(double[] x, double[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * inv * w[i];
        return y;
    }

    /** Exact GELU x·Φ(x), Φ from erf/erfc in double. */
    public static double gelu(double x) {
        double z = x / Math.sqrt(2);
        return z >= 0 ? x * (1 - 0.5 * erfc(z)) : x * 0.5 * erfc(-z);
    }

    /**
     * erfc(z) for z ≥ 0: 1 − erf(z) by the Maclaurin series below 3 (terms peak near 170 at z = 3, so about 13
     * correct digits survive the cancellation), the continued fraction of erfc above (Lentz, to 1e-16).
     */
    public static double erfc(double z) {
        if (z < 3) {
            double sum = 0, term = z; // term_n = (-1)^n z^(2n+1) / n!
            for (int n = 0; n < 200; n++) {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
        double tiny = 1e-300, f = z, c = z, d = 0;
        for (int n = 1; n < 500; n++) {
            double an = n / 2.0;
            d = z + an * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = z + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
}
