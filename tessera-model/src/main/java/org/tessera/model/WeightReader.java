package org.tessera.model;

import java.util.Arrays;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsFile;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.core.tensor.Tensor;

/**
 * Shape-checked access to a checkpoint's tensors for the weights loaders. Matrices stay in the memory-mapped file in
 * their stored dtype (wrapped as {@link WeightMatrix}, so a BF16 checkpoint costs no heap); vectors (norm weights,
 * biases, layer scales, embeddings of one row) are small and are widened to float[]. A missing tensor, a wrong shape
 * or an unreadable dtype is a {@link ModelException} that names the file and the tensor, e.g.
 * {@code model.safetensors: missing tensor vision_model.encoder.layers.3.attn.qkv.weight}.
 */
public final class WeightReader {
    private final Checkpoint checkpoint;

    public WeightReader(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    public boolean contains(String name) {
        return checkpoint.contains(name);
    }

    /** The tensor, required to have exactly {@code shape}. */
    public Tensor tensor(String name, long... shape) {
        if (!checkpoint.contains(name)) throw new ModelException(fileName() + ": missing tensor " + name);
        SafetensorsFile.TensorInfo info = checkpoint.info(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new ModelException(checkpoint.pathOf(name).getFileName() + ": tensor " + name + " has shape "
                    + Arrays.toString(info.shape()) + ", the config implies " + Arrays.toString(shape));
        }
        return checkpoint.tensor(name);
    }

    /** A {@code [rows, cols]} matrix in place (also accepts any shape whose row-major layout is that, e.g. a conv kernel). */
    public WeightMatrix matrix(String name, int rows, int cols) {
        return asMatrix(name, tensor(name, rows, cols), rows, cols);
    }

    /** A tensor of {@code shape} read in place as a {@code [shape[0], product of the rest]} matrix. */
    public WeightMatrix matrixOfShape(String name, long... shape) {
        Tensor t = tensor(name, shape);
        long cols = t.elementCount() / shape[0];
        return asMatrix(name, t, (int) shape[0], Math.toIntExact(cols));
    }

    private WeightMatrix asMatrix(String name, Tensor t, int rows, int cols) {
        try {
            return WeightMatrix.of(t.segment(), t.dtype(), rows, cols);
        } catch (IllegalArgumentException e) {
            throw new ModelException(checkpoint.pathOf(name).getFileName() + ": tensor " + name + ": " + e.getMessage()
                    + " (supported: F32, BF16, F16)");
        }
    }

    /** A 1-D tensor of {@code n} values as floats. */
    public float[] vector(String name, int n) {
        return floats(name, n);
    }

    /** Any floating tensor of {@code shape} as floats, row-major. */
    public float[] floats(String name, long... shape) {
        Tensor t = tensor(name, shape);
        if (!Tensor.isFloating(t.dtype())) {
            throw new ModelException(checkpoint.pathOf(name).getFileName() + ": tensor " + name + " has dtype "
                    + t.dtype() + "; a floating dtype is needed");
        }
        return t.toFloatArray();
    }

    private String fileName() {
        var p = checkpoint.source().getFileName();
        return p == null ? checkpoint.source().toString() : p.toString();
    }
}
