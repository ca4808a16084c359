package org.tessera.train.nn;

import org.tessera.core.kernels.Activations;
import org.tessera.model.RowOps;

/**
 * Exact (erf) GELU, {@code y = x·Φ(x)}, forward on the runtime's kernel. Backward:
 * {@code dx = dy·(Φ(x) + x·φ(x))} with φ the standard normal density.
 */
public final class Gelu {
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    private float[] x;

    /** A new array {@code gelu(x)}; x is kept for backward. */
    public float[] forward(float[] x) {
        float[] y = x.clone();
        RowOps.gelu(y, 0, y.length);
        this.x = x;
        return y;
    }

    public float[] backward(float[] dy) {
        float[] dx = new float[x.length];
        for (int i = 0; i < x.length; i++) dx[i] = dy[i] * derivative(x[i]);
        return dx;
    }

    /** d/dx of x·Φ(x). */
    public static float derivative(float x) {
        double pdf = INV_SQRT_2PI * Math.exp(-0.5 * (double) x * x);
        return (float) (Activations.normalCdf(x) + x * pdf);
    }

    public void clear() { x = null; }
}
