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
}
