package org.tessera.train.nn;

import org.tessera.core.kernels.Gemm;
import org.tessera.train.Parameter;
import org.tessera.train.kernels.Products;

/**
 * A low-rank adapter on a Linear layer (LoRA, Hu et al. 2021): {@code y += s·(x·Aᵀ)·Bᵀ} with A {@code [r, in]},
 * B {@code [out, r]} and {@code s = alpha / r}; B starts at zero so training starts from the base model.
 *
 * <p>Partial LoRA (InternLM-XComposer2): the branch applies only to the rows a mask selects — the image-token positions
 * — so text tokens see the unchanged base weights. The mask comes with each forward call.
 *
 * <p>A plain LoRA can be merged into the base weight for export ({@code W + s·B·A}); a partial one cannot (the
 * runtime would apply it to every token) and is exported as separate tensors.
 */
public final class Lora {
    private final Parameter a;
    private final Parameter b;
    private final float scale;
    private final boolean partial;

    private float[] t;        // x·Aᵀ, masked rows zero: [rows, r]
    private boolean[] mask;

    public Lora(Parameter a, Parameter b, float alpha, boolean partial) {
        if (a.rows() != b.cols()) throw new IllegalArgumentException("LoRA rank mismatch: A " + a.rows() + " rows, B " + b.cols() + " columns");
        this.a = a;
        this.b = b;
        this.scale = alpha / a.rows();
        this.partial = partial;
    }

    public Parameter a() { return a; }

    public Parameter b() { return b; }

    public int rank() { return a.rows(); }

    public int in() { return a.cols(); }

    public int out() { return b.rows(); }

    /** alpha / r. */
    public float scale() { return scale; }

    public boolean partial() { return partial; }

    public boolean trainable() { return a.trainable() || b.trainable(); }

    void forwardAdd(float[] x, int rows, float[] y, boolean[] rowMask) {
        int r = rank(), out = out();
        if (partial && rowMask == null) throw new IllegalStateException("a partial LoRA needs the image-token mask");
        this.mask = partial ? rowMask : null;
        t = new float[rows * r];
        Gemm.matmul(x, 0, rows, a.matrix(), null, t, 0);
        if (mask != null) {
            for (int i = 0; i < rows; i++) if (!mask[i]) java.util.Arrays.fill(t, i * r, (i + 1) * r, 0f);
        }
        float[] u = new float[rows * out];
        Gemm.matmul(t, 0, rows, b.matrix(), null, u, 0);
        Products.axpy(scale, u, 0, y, 0, rows * out);
    }

    /** Accumulates dA and dB; adds the branch's input gradient to {@code dx} when it is not null. */
    void backward(float[] dy, float[] x, int rows, float[] dx) {
        int r = rank(), out = out(), in = in();
        if (b.trainable()) {
            float[] gb = new float[out * r];
            Products.accumulateOuter(dy, 0, rows, out, t, 0, r, gb);
            Products.axpy(scale, gb, 0, b.grad(), 0, out * r);
        }
        // dt = s·dy·B, zero on masked-out rows
        float[] dt = new float[rows * r];
        Products.matmulNN(dy, rows, b.transposed(), dt);
        for (int i = 0; i < rows * r; i++) dt[i] *= scale;
        if (mask != null) {
            for (int i = 0; i < rows; i++) if (!mask[i]) java.util.Arrays.fill(dt, i * r, (i + 1) * r, 0f);
        }
        if (a.trainable()) Products.accumulateOuter(dt, 0, rows, r, x, 0, in, a.grad());
        if (dx != null) {
            float[] d = new float[rows * in];
            Products.matmulNN(dt, rows, a.transposed(), d);
            Products.add(dx, 0, d, 0, rows * in);
        }
    }

    /** {@code W + s·B·A} as float32 {@code [out, in]}: the base weight with this adapter merged in. */
    public float[] merged(float[] base) {
        int r = rank(), out = out(), in = in();
        float[] w = base.clone();
        float[] av = a.toFloats(), bv = b.toFloats();
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < r; k++) {
                float c = scale * bv[o * r + k];
                if (c != 0f) Products.axpy(c, av, k * in, w, o * in, in);
            }
        }
        return w;
    }

    void clear() {
        t = null;
        mask = null;
    }
}
