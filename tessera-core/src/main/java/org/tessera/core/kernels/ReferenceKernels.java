package org.tessera.core.kernels;

/**
 * Plain scalar versions of the kernels: obviously correct, slow, double accumulation. The tests compare the
 * vectorised kernels against these; nothing in the engine should call them on a hot path.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {}

    /** {@code out[i, j] = Σ_p a[i, p]·W[j, p] + bias[j]}, summed in double (error ~k·2⁻⁵³, negligible next to f32). */
    public static float[] matmul(float[] a, int m, WeightMatrix w, float[] bias) {
        int n = w.rows(), k = w.cols();
        float[] wf = decode(w);
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0.0 : bias[j];
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * wf[j * k + p];
                out[i * n + j] = (float) s;
            }
        }
        return out;
    }

    /** {@code Σ_p |a[i, p]|·|W[j, p]|} per output: the scale of the rounding-error bound of a dot product. */
    public static double[] matmulAbs(float[] a, int m, WeightMatrix w) {
        int n = w.rows(), k = w.cols();
        float[] wf = decode(w);
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += Math.abs((double) a[i * k + p] * wf[j * k + p]);
                out[i * n + j] = s;
            }
        }
        return out;
    }

    /** The whole matrix as f32, row-major, through {@link WeightMatrix#get} (the format's defined value). */
    public static float[] decode(WeightMatrix w) {
        int n = w.rows(), k = w.cols();
        float[] wf = new float[n * k];
        for (int j = 0; j < n; j++) w.decodeRow(j, wf, j * k);
        return wf;
    }

    // ---- special functions ---------------------------------------------------------------------------------

    /**
     * erf in double. |x| < 1.5: the Maclaurin series 2/√π·Σ (−1)ⁿ x^(2n+1)/(n!(2n+1)), whose largest term is
     * ≲ e^(x²) ≤ 10 times the result, so ~10⁻¹⁵ relative accuracy. Beyond, 1 − erfc(x) with erfc below.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (Double.isNaN(x)) return x;
        if (ax >= 1.5) return Math.copySign(1.0 - erfc(ax), x);
        double term = x, sum = x, x2 = x * x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18 * Math.abs(sum)) break;
        }
        return sum * 2.0 / Math.sqrt(Math.PI);
    }

    /**
     * erfc in double. x ≥ 1.5: Laplace's continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
     * evaluated backwards from 60 + 800/x² levels (it converges faster the larger x is; ≥ 400 levels at the switch
     * point x = 1.5, where 300 already reach double precision; the test checks it against the series). Otherwise 1 − erf (relative error ≤ ~10⁻¹⁵/erfc(1.5) ≈ 3·10⁻¹⁴).
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 1.5) return 1.0 - erf(x);
        double f = x;
        for (int n = 60 + (int) (800 / (x * x)); n >= 1; n--) f = x + (n / 2.0) / f;
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /** Exact GELU in double: x·Φ(x), Φ(x) = ½·erfc(−x/√2). */
    public static double gelu(double x) {
        return x * 0.5 * erfc(-x / Math.sqrt(2.0));
    }

    public static double silu(double x) {
        return x / (1.0 + Math.exp(-x));
    }

    // ---- normalisations, softmax, RoPE ----------------------------------------------------------------------

    public static double[] layerNorm(float[] x, int rows, int dim, float[] gamma, float[] beta, float eps) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[r * dim + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) var += (x[r * dim + i] - mean) * (x[r * dim + i] - mean);
            var /= dim;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < dim; i++) {
                out[r * dim + i] = (x[r * dim + i] - mean) * inv * (gamma == null ? 1 : gamma[i]) + (beta == null ? 0 : beta[i]);
            }
        }
        return out;
    }

    public static double[] rmsNorm(float[] x, int rows, int dim, float[] weight, float eps) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) x[r * dim + i] * x[r * dim + i];
            double inv = 1.0 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i] * inv * (weight == null ? 1 : weight[i]);
        }
        return out;
    }

    public static double[] softmax(float[] x, int off, int len) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) max = Math.max(max, x[off + i]);
        double[] out = new double[len];
        double sum = 0;
        for (int i = 0; i < len; i++) sum += out[i] = Math.exp(x[off + i] - max);
        for (int i = 0; i < len; i++) out[i] /= sum;
        return out;
    }

    /** Rotate-half RoPE of one head vector in double, with the angles of {@code rope}'s table (cos/sin recomputed in double). */
    public static double[] rope(float[] x, int off, int headDim, int pos, double base) {
        int half = headDim / 2;
        double[] out = new double[headDim];
        for (int i = 0; i < half; i++) {
            float invFreq = 1f / (float) Math.pow(base, (float) (2 * i) / (float) headDim);
            float angle = (float) pos * invFreq;
            double c = Math.cos(angle), s = Math.sin(angle);
            out[i] = x[off + i] * c - x[off + i + half] * s;
            out[i + half] = x[off + i + half] * c + x[off + i] * s;
        }
        return out;
    }

    // ---- attention ------------------------------------------------------------------------------------------

    /** Result of {@link #attention}: the output and, per output element, Σ_j p_j·|v_j| (the error scale). */
    public record AttentionResult(double[] out, double[] pAbsV, double[] maxScoreAbs) {}

    /**
     * Plain softmax(q·kᵀ·scale)·v per query token and head in double, k/v in {@code [pos][kvHead][headDim]}, with
     * the causal rule "key position ≤ qPos0 + t". Also returns max_j Σ_i |q_i·k_ji|·scale per (token, head).
     */
    public static AttentionResult attention(float[] q, float[] k, float[] v, int seqQ, int seqK, int nHeads, int nKv,
                                            int d, float scale, boolean causal, int qPos0) {
        int g = nHeads / nKv;
        double[] out = new double[seqQ * nHeads * d], pav = new double[seqQ * nHeads * d], msa = new double[seqQ * nHeads];
        for (int t = 0; t < seqQ; t++) {
            for (int h = 0; h < nHeads; h++) {
                int kvh = h / g;
                int visible = causal ? Math.min(seqK, qPos0 + t + 1) : seqK;
                double[] sc = new double[visible];
                double max = Double.NEGATIVE_INFINITY, maxAbs = 0;
                for (int j = 0; j < visible; j++) {
                    double dot = 0, abs = 0;
                    for (int i = 0; i < d; i++) {
                        double pr = (double) q[(t * nHeads + h) * d + i] * k[(j * nKv + kvh) * d + i];
                        dot += pr;
                        abs += Math.abs(pr);
                    }
                    sc[j] = dot * scale;
                    maxAbs = Math.max(maxAbs, abs * scale);
                    max = Math.max(max, sc[j]);
                }
                msa[t * nHeads + h] = maxAbs;
                double sum = 0;
                for (int j = 0; j < visible; j++) sum += sc[j] = Math.exp(sc[j] - max);
                for (int i = 0; i < d; i++) {
                    double o = 0, a = 0;
                    for (int j = 0; j < visible; j++) {
                        double vv = v[(j * nKv + kvh) * d + i];
                        o += sc[j] * vv;
                        a += sc[j] * Math.abs(vv);
                    }
                    out[(t * nHeads + h) * d + i] = o / sum;
                    pav[(t * nHeads + h) * d + i] = a / sum;
                }
            }
        }
        return new AttentionResult(out, pav, msa);
    }
}
