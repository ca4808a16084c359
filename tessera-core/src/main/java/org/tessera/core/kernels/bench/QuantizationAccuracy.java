package org.tessera.core.kernels.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tessera.core.DType;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.WeightMatrix;

/**
 * What storing weights as bf16, f16 or Q8_0 costs in accuracy: the relative error ‖y − y_f32‖ / ‖y_f32‖ of
 * {@code y = a·Wᵀ} computed with the converted weights against the same product with the original f32 weights,
 * on several kinds of data ({@link Case}). {@link #main} prints one JSON line per case.
 *
 * <p>What to expect for Q8_0 on Gaussian weights: the rounding error per weight is uniform in ±s/2 with
 * s = max|w|/127 over its block of 32; the max of 32 |N(0, σ²)| averages about 2.3σ, so the error RMS is
 * 2.3σ/127/√12 ≈ 0.0052σ and, the errors being independent of the signal, the output error is ≈ 0.5 % of the output
 * (measured: 0.53 %). Outlier input channels raise the scale of every block they fall in, and with it the error of
 * the other 31 weights: ≈ 1.2 % for 1 channel in 64 at 20×. For comparison, rounding to bf16 (8 significant bits,
 * relative error ≤ 2⁻⁸) costs ≈ 0.16 %, and to f16 (11 bits, ≤ 2⁻¹¹) ≈ 0.02 %, on any of these cases.
 */
public final class QuantizationAccuracy {
    private QuantizationAccuracy() {}

    /** Kinds of weight/activation data. */
    public enum Case {
        /** i.i.d. Gaussian weights and activations. */
        GAUSSIAN,
        /** Gaussian weights where 1 in 64 input channels is 20× larger (the outlier features of trained LLMs). */
        OUTLIER_CHANNELS,
        /** Rows whose scale spans four orders of magnitude (block scales adapt; a per-tensor scale would not). */
        ROW_SCALES,
        /** Smooth, low-rank weights: sums of a few sinusoids along k (structured, highly correlated). */
        SMOOTH_LOW_RANK,
        /** Gaussian weights, activations with a few huge channels ("massive activations" of LLM residual streams). */
        MASSIVE_ACTIVATIONS
    }

    /** Relative errors for one case. */
    public record Errors(Case dataCase, int m, int k, int n, double bf16, double f16, double q8) {
        public String toJson() {
            return String.format(Locale.ROOT, "{\"bench\":\"quant-accuracy\",\"case\":\"%s\",\"m\":%d,\"k\":%d,\"n\":%d,"
                    + "\"rel_err_bf16\":%.3e,\"rel_err_f16\":%.3e,\"rel_err_q8_0\":%.3e}", dataCase, m, k, n, bf16, f16, q8);
        }
    }

    public static Errors measure(Case c, int m, int k, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n * k];
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) a[i] = (float) gaussian(r);
        switch (c) {
            case GAUSSIAN -> fillGaussian(r, w, 0.02);
            case OUTLIER_CHANNELS -> {
                fillGaussian(r, w, 0.02);
                for (int j = 0; j < n; j++) for (int p = 0; p < k; p += 64) w[j * k + p] *= 20f;
            }
            case ROW_SCALES -> {
                fillGaussian(r, w, 1.0);
                for (int j = 0; j < n; j++) {
                    float s = (float) Math.pow(10, -4.0 * j / n);
                    for (int p = 0; p < k; p++) w[j * k + p] *= s;
                }
            }
            case SMOOTH_LOW_RANK -> {
                for (int j = 0; j < n; j++) {
                    double f1 = 1 + j % 7, f2 = 3 + j % 5, ph = r.nextDouble() * 6.28;
                    for (int p = 0; p < k; p++) {
                        double t = (double) p / k;
                        w[j * k + p] = (float) (0.02 * (Math.sin(6.28 * f1 * t + ph) + 0.5 * Math.cos(6.28 * f2 * t)));
                    }
                }
            }
            case MASSIVE_ACTIVATIONS -> {
                fillGaussian(r, w, 0.02);
                for (int i = 0; i < m; i++) for (int p = 0; p < k; p += k / 4) a[i * k + p] *= 100f;
            }
        }
        WeightMatrix f32 = WeightMatrix.ofFloats(w, n, k);
        float[] ref = new float[m * n];
        Gemm.matmul(a, m, f32, null, ref);
        try (Arena arena = Arena.ofShared()) { // shared: the kernels read it from pool threads
            MemorySegment bf = arena.allocate(2L * n * k, 2), hf = arena.allocate(2L * n * k, 2);
            for (int i = 0; i < n * k; i++) {
                bf.setAtIndex(ValueLayout.JAVA_SHORT, i, WeightMatrix.floatToBf16(w[i]));
                hf.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(w[i]));
            }
            double eBf = relErr(ref, a, m, WeightMatrix.of(bf, DType.BF16, n, k));
            double eHf = relErr(ref, a, m, WeightMatrix.of(hf, DType.F16, n, k));
            double eQ = relErr(ref, a, m, f32.quantizeQ8(arena));
            return new Errors(c, m, k, n, eBf, eHf, eQ);
        }
    }

    private static double relErr(float[] ref, float[] a, int m, WeightMatrix w) {
        float[] y = new float[ref.length];
        Gemm.matmul(a, m, w, null, y);
        double num = 0, den = 0;
        for (int i = 0; i < y.length; i++) {
            double d = (double) y[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    private static void fillGaussian(SplittableRandom r, float[] v, double sigma) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (gaussian(r) * sigma);
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Prints one JSON line per case for {@code [--m M --k K --n N]} (default 64 × 1024 × 512). */
    public static void main(String[] args) {
        int m = 64, k = 1024, n = 512;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--m" -> m = Integer.parseInt(args[i + 1]);
                case "--k" -> k = Integer.parseInt(args[i + 1]);
                case "--n" -> n = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        for (Case c : Case.values()) System.out.println(measure(c, m, k, n, 1).toJson());
    }
}
