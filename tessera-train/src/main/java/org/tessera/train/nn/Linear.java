package org.tessera.train.nn;

import org.tessera.core.kernels.Gemm;
import org.tessera.train.Parameter;
import org.tessera.train.kernels.Products;

/**
 * {@code y = x·Wᵀ + b} (PyTorch Linear layout, W {@code [out, in]}), optionally with a {@link Lora} branch.
 * The forward is the runtime's own {@link Gemm#matmul} call, so a trained model computes what inference computes.
 *
 * <p>Saved for backward: the input. Backward: {@code dx = dy·W} (when asked for), {@code dW += dyᵀ·x},
 * {@code db += Σ_rows dy}, and the LoRA branch's gradients.
 */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private Lora lora;

    private float[] x;
    private int rows;

    public Linear(Parameter weight, Parameter bias) {
        this.weight = weight;
        this.bias = bias;
        this.out = weight.rows();
        this.in = weight.cols();
        if (bias != null && bias.size() != out) throw new IllegalArgumentException(bias.name() + " has " + bias.size() + " values for " + out + " outputs");
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    public int in() { return in; }

    public int out() { return out; }

    public Lora lora() { return lora; }

    /** Attaches (or with null removes) a LoRA branch. */
    public void lora(Lora l) {
        if (l != null && (l.in() != in || l.out() != out)) throw new IllegalArgumentException("LoRA shape does not fit " + weight.name());
        this.lora = l;
    }

    /** Whether anything in this layer has a gradient to collect. */
    public boolean trainable() {
        return weight.trainable() || (bias != null && bias.trainable()) || (lora != null && lora.trainable());
    }

    /** {@code [rows, out]} for {@code x [rows, in]}; {@code rowMask} selects the rows a partial LoRA applies to (else null). */
    public float[] forward(float[] x, int rows, boolean[] rowMask) {
        float[] y = new float[rows * out];
        Gemm.matmul(x, 0, rows, weight.matrix(), bias == null ? null : bias.values(), y, 0);
        if (lora != null) lora.forwardAdd(x, rows, y, rowMask);
        this.x = x;
        this.rows = rows;
        return y;
    }

    public float[] forward(float[] x, int rows) {
        return forward(x, rows, null);
    }

    /**
     * Accumulates the parameter gradients for upstream gradient {@code dy [rows, out]} and returns {@code dx [rows, in]}
     * when {@code needDx} (else null).
     */
    public float[] backward(float[] dy, boolean needDx) {
        if (x == null) throw new IllegalStateException("backward before forward on " + weight.name());
        if (weight.trainable()) Products.accumulateOuter(dy, 0, rows, out, x, 0, in, weight.grad());
        if (bias != null && bias.trainable()) Products.accumulateColumnSums(dy, rows, out, bias.grad());
        float[] dx = null;
        if (needDx) {
            dx = new float[rows * in];
            Products.matmulNN(dy, rows, weight.transposed(), dx);
        }
        if (lora != null) lora.backward(dy, x, rows, dx);
        return dx;
    }

    /** Drops the saved input. */
    public void clear() {
        x = null;
        if (lora != null) lora.clear();
    }
}
