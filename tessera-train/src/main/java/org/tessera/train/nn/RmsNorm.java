package org.tessera.train.nn;

import org.tessera.core.Parallel;
import org.tessera.core.kernels.Norms;
import org.tessera.train.Parameter;

/**
 * RMSNorm, {@code y = x·r·w} with {@code r = 1/√(mean(x²) + ε)} (Qwen2, InternLM2, InternViT-6B), forward on the
 * runtime's {@link Norms#rmsNorm}.
 *
 * <p>Backward, per row with g = dy·w: {@code dx = r·(g − x·r²·mean(g·x))}, {@code dw += dy·x·r}.
 */
public final class RmsNorm implements Norm {
    private final Parameter weight;
    private final int dim;
    private final float eps;
    private float[] x;
    private int rows;

    public RmsNorm(Parameter weight, float eps) {
        this.weight = weight;
        this.dim = weight.size();
        this.eps = eps;
    }

    public Parameter weight() { return weight; }

    @Override
    public float[] forward(float[] x, int rows) {
        float[] y = new float[rows * dim];
        Norms.rmsNorm(x, y, rows, dim, weight.values(), eps);
        this.x = x;
        this.rows = rows;
        return y;
    }

    @Override
    public float[] backward(float[] dy) {
        float[] dx = new float[rows * dim];
        float[] w = weight.values();
        boolean gw = weight.trainable();
        Partials pw = new Partials();
        Parallel.BlockBody body = (r0, r1) -> {
            double[] dw = gw ? new double[dim] : null;
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                double ss = 0;
                for (int i = 0; i < dim; i++) ss += (double) x[o + i] * x[o + i];
                double rs = 1.0 / Math.sqrt(ss / dim + eps);
                double mgx = 0;
                for (int i = 0; i < dim; i++) {
                    mgx += (double) dy[o + i] * w[i] * x[o + i];
                    if (dw != null) dw[i] += dy[o + i] * x[o + i] * rs;
                }
                mgx /= dim;
                double c = rs * rs * mgx;
                for (int i = 0; i < dim; i++) dx[o + i] = (float) (rs * ((double) dy[o + i] * w[i] - x[o + i] * c));
            }
            if (dw != null) pw.put(r0, dw);
        };
        if ((long) rows * dim < 1 << 15) body.run(0, rows);
        else Parallel.forBlocks(rows, body);
        if (gw) pw.reduceInto(weight.grad());
        return dx;
    }

    @Override
    public void clear() { x = null; }
}
