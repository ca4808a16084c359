package org.tessera.train;

import org.tessera.core.kernels.Rope;

/**
 * Float64 reference implementations of every forward the trainer differentiates, written as plainly as possible
 * (loops over the definitions) so that central finite differences of them give gradients good to ~1e-9: the yardstick
 * for the float32 analytic backward passes.
 */
public final class Ref {
    private Ref() {}

    /** erf in double: Maclaurin series below 3 (≤ 1e-13 after cancellation), Lentz continued fraction for erfc above. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double sum = 0, term = ax, x2 = ax * ax;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
                term *= -x2 / (n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            double tiny = 1e-300, f = ax, c = ax, dd = 0;
            for (int n = 1; n < 300; n++) {
                double an = n / 2.0;
                dd = ax + an * dd;
                if (Math.abs(dd) < tiny) dd = tiny;
                c = ax + an / c;
                if (Math.abs(c) < tiny) c = tiny;
                dd = 1 / dd;
                double delta = c * dd;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    public static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** y[m, n] = x[m, k]·wᵀ + b. */
    public static double[] linear(double[] x, int m, double[] w, int n, int k, double[] b) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = b == null ? 0 : b[j];
                for (int p = 0; p < k; p++) s += x[i * k + p] * w[j * k + p];
                y[i * n + j] = s;
            }
        }
        return y;
    }

    public static double[] layerNorm(double[] x, int m, int d, double[] g, double[] b, double eps) {
        double[] y = new double[m * d];
        for (int i = 0; i < m; i++) {
            double mean = 0, var = 0;
            for (int j = 0; j < d; j++) mean += x[i * d + j];
            mean /= d;
            for (int j = 0; j < d; j++) var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            var /= d;
            double r = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < d; j++) y[i * d + j] = (x[i * d + j] - mean) * r * g[j] + (b == null ? 0 : b[j]);
        }
        return y;
    }

    public static double[] rmsNorm(double[] x, int m, int d, double[] w, double eps) {
        double[] y = new double[m * d];
        for (int i = 0; i < m; i++) {
            double ss = 0;
            for (int j = 0; j < d; j++) ss += x[i * d + j] * x[i * d + j];
            double r = 1 / Math.sqrt(ss / d + eps);
            for (int j = 0; j < d; j++) y[i * d + j] = x[i * d + j] * r * w[j];
        }
        return y;
    }

    public static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
        return y;
    }

    public static double[] add(double[] a, double[] b) {
        double[] y = a.clone();
        for (int i = 0; i < y.length; i++) y[i] += b[i];
        return y;
    }

    /** h + ls ∘ a over [rows, c]. */
    public static double[] addScaled(double[] h, double[] a, double[] ls) {
        double[] y = h.clone();
        int c = ls.length;
        for (int i = 0; i < y.length; i++) y[i] += ls[i % c] * a[i];
        return y;
    }

    /**
     * Attention per segment and head: out[t][h] = Σ_j softmax_j(q_t·k_j/√d)·v_j over the segment (j ≤ t when causal);
     * q/k/v element (t, head, i) at off + t·stride + head·d + i; out is [rows][heads][d].
     */
    public static double[] attention(double[] q, int qOff, int qStride, double[] k, int kOff, int kStride, double[] v, int vOff, int vStride,
                                     int[] segs, int heads, int kvHeads, int d, boolean causal) {
        int rows = segs[segs.length - 1];
        double[] out = new double[rows * heads * d];
        double scale = 1 / Math.sqrt(d);
        int group = heads / kvHeads;
        for (int s = 0; s + 1 < segs.length; s++) {
            for (int t = segs[s]; t < segs[s + 1]; t++) {
                for (int h = 0; h < heads; h++) {
                    int g = h / group;
                    int end = causal ? t + 1 : segs[s + 1];
                    double[] sc = new double[end - segs[s]];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = segs[s]; j < end; j++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) dot += q[qOff + t * qStride + h * d + i] * k[kOff + j * kStride + g * d + i];
                        sc[j - segs[s]] = dot * scale;
                        max = Math.max(max, dot * scale);
                    }
                    double sum = 0;
                    for (int j = 0; j < sc.length; j++) sum += sc[j] = Math.exp(sc[j] - max);
                    for (int j = segs[s]; j < end; j++) {
                        double p = sc[j - segs[s]] / sum;
                        for (int i = 0; i < d; i++) out[(t * heads + h) * d + i] += p * v[vOff + j * vStride + g * d + i];
                    }
                }
            }
        }
        return out;
    }

    /** Rotate-half RoPE in place on [rows][heads][d], positions restarting per segment, with the runtime's tables. */
    public static void rope(double[] x, int heads, int d, int[] segs, Rope r) {
        int half = d / 2;
        for (int s = 0; s + 1 < segs.length; s++) {
            for (int t = segs[s]; t < segs[s + 1]; t++) {
                int pos = t - segs[s];
                for (int h = 0; h < heads; h++) {
                    int a = (t * heads + h) * d;
                    for (int i = 0; i < half; i++) {
                        double c = r.cos(pos, i), sn = r.sin(pos, i);
                        double x1 = x[a + i], x2 = x[a + half + i];
                        x[a + i] = x1 * c - x2 * sn;
                        x[a + half + i] = x2 * c + x1 * sn;
                    }
                }
            }
        }
    }

    /** Drop CLS and pixel-shuffle [tiles, 1+g², c] → [tiles, (g/f)², f²c]; v2 row-major merged tokens, v1 column-major. */
    public static double[] pixelShuffle(double[] x, int tiles, int g, int c, int f, boolean v2) {
        int seq = 1 + g * g, go = g / f, width = f * f * c;
        double[] out = new double[tiles * go * go * width];
        for (int n = 0; n < tiles; n++)
            for (int i = 0; i < go; i++)
                for (int j = 0; j < go; j++) {
                    int token = v2 ? i * go + j : j * go + i;
                    for (int p = 0; p < f; p++)
                        for (int qq = 0; qq < f; qq++)
                            for (int e = 0; e < c; e++)
                                out[(n * go * go + token) * width + (p * f + qq) * c + e] = x[(n * seq + 1 + (f * i + p) * g + f * j + qq) * c + e];
                }
        return out;
    }

    /** Σ_rows −log softmax(z)[y]. */
    public static double crossEntropy(double[] logits, int rows, int vocab, int[] targets) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) max = Math.max(max, logits[r * vocab + j]);
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += Math.exp(logits[r * vocab + j] - max);
            loss += max + Math.log(sum) - logits[r * vocab + targets[r]];
        }
        return loss;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    public static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
