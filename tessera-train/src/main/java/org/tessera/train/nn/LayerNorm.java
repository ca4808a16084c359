package org.tessera.train.nn;

import org.tessera.core.Parallel;
import org.tessera.core.kernels.Norms;
import org.tessera.train.Parameter;

/**
 * LayerNorm over the last dimension, {@code y = (x − μ)/√(σ² + ε)·γ + β} (biased variance, as PyTorch), forward on
 * the runtime's {@link Norms#layerNorm}.
 *
 * <p>Backward, per row with x̂ = (x − μ)·r, r = 1/√(σ² + ε) and g = dy·γ:
 * {@code dx = r·(g − mean(g) − x̂·mean(g·x̂))}, {@code dγ += dy·x̂}, {@code dβ += dy}. The statistics are recomputed
 * from the saved input in double precision.
 */
public final class LayerNorm implements Norm {
    private final Parameter weight;
    private final Parameter bias;
    private final int dim;
    private final float eps;
    private float[] x;
    private int rows;

    public LayerNorm(Parameter weight, Parameter bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.dim = weight.size();
        this.eps = eps;
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    public float[] forward(float[] x, int rows) {
        float[] y = new float[rows * dim];
        Norms.layerNorm(x, y, rows, dim, weight.values(), bias == null ? null : bias.values(), eps);
        this.x = x;
        this.rows = rows;
        return y;
    }

    @Override
    public float[] backward(float[] dy) {
        float[] dx = new float[rows * dim];
        float[] gamma = weight.values();
        boolean gw = weight.trainable(), gb = bias != null && bias.trainable();
        Partials pg = new Partials(), pb = new Partials();
        Parallel.BlockBody body = (r0, r1) -> {
            double[] dg = gw ? new double[dim] : null, db = gb ? new double[dim] : null;
            double[] xh = new double[dim];
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                double mean = 0;
                for (int i = 0; i < dim; i++) mean += x[o + i];
                mean /= dim;
                double var = 0;
                for (int i = 0; i < dim; i++) {
                    double d = x[o + i] - mean;
                    var += d * d;
                }
                var /= dim;
                double rstd = 1.0 / Math.sqrt(var + eps);
                double mg = 0, mgx = 0;
                for (int i = 0; i < dim; i++) {
                    xh[i] = (x[o + i] - mean) * rstd;
                    double g = (double) dy[o + i] * gamma[i];
                    mg += g;
                    mgx += g * xh[i];
                    if (dg != null) dg[i] += dy[o + i] * xh[i];
                    if (db != null) db[i] += dy[o + i];
                }
                mg /= dim;
                mgx /= dim;
                for (int i = 0; i < dim; i++) {
                    double g = (double) dy[o + i] * gamma[i];
                    dx[o + i] = (float) (rstd * (g - mg - xh[i] * mgx));
                }
            }
            if (dg != null) pg.put(r0, dg);
            if (db != null) pb.put(r0, db);
        };
        if ((long) rows * dim < 1 << 15) body.run(0, rows);
        else Parallel.forBlocks(rows, body);
        if (gw) pg.reduceInto(weight.grad());
        if (gb) pb.reduceInto(bias.grad());
        return dx;
    }

    @Override
    public void clear() { x = null; }
}
