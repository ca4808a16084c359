package org.tessera.train.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;
import org.tessera.model.RowOps;

/**
 * Exact (erf) GELU, {@code y = x·Φ(x)}, forward on the runtime's kernel. Backward:
 * {@code dx = dy·(Φ(x) + x·φ(x))} with φ the standard normal density; Φ(x) is read back from the saved output as
 * y / x (the forward rounded x·Φ once, so this is Φ to within an ulp), ½ at x = 0.
 */
public final class Gelu {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    private static final float INV_SQRT_2PI = 0.3989422804014327f;
    private float[] x;
    private float[] y;

    /** A new array {@code gelu(x)}; x and the result are kept for backward. */
    public float[] forward(float[] x) {
        float[] y = x.clone();
        RowOps.gelu(y, 0, y.length);
        this.x = x;
        this.y = y;
        return y;
    }

    public float[] backward(float[] dy) {
        float[] dx = new float[x.length];
        chunks(x.length, (a, b) -> {
            FloatVector half = FloatVector.broadcast(F, 0.5f);
            int i = a;
            for (; i <= b - L; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, i);
                FloatVector phi = org.tessera.core.kernels.VectorMath.exp(xv.mul(xv).mul(-0.5f)).mul(INV_SQRT_2PI);
                FloatVector cdf = FloatVector.fromArray(F, y, i).div(xv).blend(half, xv.compare(VectorOperators.EQ, 0f));
                FloatVector.fromArray(F, dy, i).mul(cdf.add(xv.mul(phi))).intoArray(dx, i);
            }
            for (; i < b; i++) dx[i] = dy[i] * derivative(x[i], y[i]);
        });
        return dx;
    }

    /** d/dx of x·Φ(x), given y = x·Φ(x). */
    static float derivative(float x, float y) {
        float cdf = x == 0f ? 0.5f : y / x;
        return cdf + x * (float) (INV_SQRT_2PI * Math.exp(-0.5 * (double) x * x));
    }

    static void chunks(int n, Parallel.BlockBody body) {
        if (n < 1 << 15) {
            body.run(0, n);
            return;
        }
        int chunk = 1 << 13, count = (n + chunk - 1) / chunk;
        Parallel.forBlocks(count, (c0, c1) -> body.run(c0 * chunk, Math.min(n, c1 * chunk)));
    }

    public void clear() {
        x = null;
        y = null;
    }
}
