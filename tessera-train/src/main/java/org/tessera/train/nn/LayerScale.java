package org.tessera.train.nn;

import org.tessera.model.RowOps;
import org.tessera.train.Parameter;

/**
 * InternViT's layer-scaled residual, {@code y = h + ls ∘ a} (per channel), forward on the runtime's fused
 * multiply-add. Backward: {@code dh = dy}, {@code da = dy ∘ ls}, {@code dls += Σ_rows dy ∘ a}.
 */
public final class LayerScale {
    private final Parameter ls;
    private float[] a;
    private int rows;

    public LayerScale(Parameter ls) {
        this.ls = ls;
    }

    public Parameter scale() { return ls; }

    /** A new array {@code h + ls ∘ a}. */
    public float[] forward(float[] h, float[] a, int rows) {
        float[] y = h.clone();
        RowOps.addScaled(y, a, ls.values(), rows, ls.size());
        this.a = a;
        this.rows = rows;
        return y;
    }

    /** The gradient of the branch input a; dh is dy itself. */
    public float[] backward(float[] dy) {
        int c = ls.size();
        float[] s = ls.values();
        float[] da = new float[rows * c];
        double[] g = ls.trainable() ? new double[c] : null;
        for (int r = 0; r < rows; r++) {
            int o = r * c;
            for (int i = 0; i < c; i++) {
                da[o + i] = dy[o + i] * s[i];
                if (g != null) g[i] += (double) dy[o + i] * a[o + i];
            }
        }
        if (g != null) {
            float[] lg = ls.grad();
            for (int i = 0; i < c; i++) lg[i] += (float) g[i];
        }
        return da;
    }

    public void clear() { a = null; }
}
