package org.tessera.train.nn;

/** A row-wise normalisation with saved input: {@link LayerNorm} or {@link RmsNorm}. */
public interface Norm {
    /** A new array, the normalised rows of {@code x [rows, dim]}. */
    float[] forward(float[] x, int rows);

    /** Accumulates the parameter gradients and returns dx. */
    float[] backward(float[] dy);

    void clear();
}
