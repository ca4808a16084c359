package org.tessera.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tessera.core.DType;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.core.tensor.Tensor;

/**
 * One named tensor of a model being trained, with its gradient.
 *
 * <p>Storage. A trainable tensor keeps float32 master values (the optimiser updates them in place) and, once a
 * backward pass reaches it, a float32 gradient of the same size. A frozen matrix may instead stay in a low-precision
 * store (bf16: the checkpoint's own mapped bytes, or a bf16 copy made at set-up), which halves its memory and is read
 * by the same kernels; frozen vectors (norms, biases, layer scales) are small and always float32.
 *
 * <p>Shapes. {@link #shape()} is the checkpoint's shape (a conv kernel {@code [C, 3, p, p]}, the class embedding
 * {@code [1, 1, C]}); the kernels see a matrix {@code [shape[0], product of the rest]} ({@link #rows()} ×
 * {@link #cols()}) or, for 1-D tensors, a vector of {@link #size()} values.
 *
 * <p>Optimiser hints: {@link #lrScale()} multiplies the learning rate (layer-wise decay), {@link #weightDecay()} says
 * whether decoupled weight decay applies (matrices yes; biases, norms, layer scales, embeddings of position no).
 */
public final class Parameter {
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final long[] shape;
    private final int rows;
    private final int cols;
    private final boolean matrix;
    /** The checkpoint tensor it was read from (written back unchanged while frozen), or null. */
    private final Tensor source;

    private float[] values;          // float32 master; null for a frozen low-precision matrix
    private WeightMatrix store;      // the matrix view the kernels read (over values, or the low-precision store)
    private WeightMatrix transposed; // [cols, rows], rebuilt when version moves on
    private long transposedVersion = -1;
    private long version;
    private float[] grad;
    private boolean trainable;
    private boolean modified;
    private double lrScale = 1.0;
    private boolean weightDecay;

    private Parameter(String name, long[] shape, boolean matrix, float[] values, WeightMatrix store, Tensor source) {
        this.name = name;
        this.shape = shape.clone();
        long n = Tensor.elementCount(shape);
        if (n <= 0 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + ": bad size " + Arrays.toString(shape));
        this.matrix = matrix;
        this.rows = matrix ? (int) shape[0] : 1;
        this.cols = matrix ? (int) (n / shape[0]) : (int) n;
        this.values = values;
        this.store = store;
        this.source = source;
        if (values != null && values.length != n) throw new IllegalArgumentException(name + ": " + values.length + " values for " + Arrays.toString(shape));
        this.weightDecay = matrix;
    }

    /**
     * A tensor held as float32 values. {@code matrix} says whether kernels read it as a matrix (Linear weights,
     * embeddings) or as a vector.
     */
    public static Parameter ofValues(String name, long[] shape, boolean matrix, float[] values, Tensor source) {
        return new Parameter(name, shape, matrix, values, null, source);
    }

    /** A frozen matrix read in place from a checkpoint tensor in its stored dtype. */
    public static Parameter ofStored(String name, long[] shape, WeightMatrix stored, Tensor source) {
        return new Parameter(name, shape, true, null, stored, source);
    }

    public String name() { return name; }

    /** The checkpoint shape. */
    public long[] shape() { return shape.clone(); }

    public boolean isMatrix() { return matrix; }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Number of elements. */
    public int size() { return rows * cols; }

    public Tensor source() { return source; }

    public boolean trainable() { return trainable; }

    /** True once the values differ from the source tensor (trained, or initialised without one). */
    public boolean modified() { return modified || source == null; }

    public double lrScale() { return lrScale; }

    public Parameter lrScale(double s) {
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException(name + ": learning-rate scale must be positive, got " + s);
        lrScale = s;
        return this;
    }

    public boolean weightDecay() { return weightDecay; }

    public Parameter weightDecay(boolean on) {
        weightDecay = on;
        return this;
    }

    /** Makes the tensor trainable (float32 master values, widened from the store if needed) or frozen. */
    public Parameter trainable(boolean on) {
        if (on && values == null) {
            values = new float[size()];
            for (int r = 0; r < rows; r++) store.decodeRow(r, values, r * cols);
            store = null;
        }
        trainable = on;
        if (!on) grad = null;
        return this;
    }

    /**
     * For a frozen matrix: keeps it in bf16 from now on. A float32 matrix (its own values or a float32 checkpoint
     * tensor) is rounded to a bf16 copy (nearest even); one already in bf16 or f16 stays as it is. Vectors and
     * trainable tensors are unchanged.
     */
    public void storeFrozenAsBf16() {
        if (trainable || !matrix || format() != WeightMatrix.Format.F32) return;
        float[] v = toFloats();
        MemorySegment seg = Arena.ofAuto().allocate(2L * size(), 64);
        for (int i = 0; i < v.length; i++) seg.setAtIndex(BF16, i, WeightMatrix.floatToBf16(v[i]));
        store = WeightMatrix.of(seg, DType.BF16, rows, cols);
        values = null;
        transposed = null;
        transposedVersion = -1;
    }

    /** Whether the values live in float32 (else in a frozen low-precision store). */
    public boolean hasValues() { return values != null; }

    /** The float32 values, row-major; the optimiser writes them in place. Fails for a low-precision frozen matrix. */
    public float[] values() {
        if (values == null) throw new IllegalStateException(name + " is stored as " + store.format() + "; it has no float32 values");
        return values;
    }

    /** All values as float32 (a copy for a low-precision store, else the live array). */
    public float[] toFloats() {
        if (values != null) return values;
        float[] out = new float[size()];
        for (int r = 0; r < rows; r++) store.decodeRow(r, out, r * cols);
        return out;
    }

    /** The matrix {@code [rows, cols]} as the kernels read it. */
    public WeightMatrix matrix() {
        if (store == null) store = WeightMatrix.ofFloats(values, rows, cols);
        return store;
    }

    /** The storage format of the matrix (F32 for trainable ones). */
    public WeightMatrix.Format format() { return matrix().format(); }

    /**
     * The transpose {@code [cols, rows]}, for products with the matrix un-transposed ({@code dX = dY·W}); rebuilt
     * after each update. A bf16 store is transposed bit for bit in bf16; anything else in float32.
     */
    public WeightMatrix transposed() {
        if (transposed != null && transposedVersion == version) return transposed;
        if (values == null && store.format() == WeightMatrix.Format.BF16) {
            MemorySegment src = store.data();
            MemorySegment t = Arena.ofAuto().allocate(2L * size(), 64);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) t.setAtIndex(BF16, (long) c * rows + r, src.getAtIndex(BF16, (long) r * cols + c));
            }
            transposed = WeightMatrix.of(t, DType.BF16, cols, rows);
        } else {
            float[] v = toFloats();
            float[] t = new float[v.length];
            org.tessera.train.kernels.Products.transpose(v, 0, rows, cols, t, 0);
            transposed = WeightMatrix.ofFloats(t, cols, rows);
        }
        transposedVersion = version;
        return transposed;
    }

    /** The gradient (allocated zeroed on first use); only trainable tensors have one. */
    public float[] grad() {
        if (!trainable) throw new IllegalStateException(name + " is frozen and has no gradient");
        if (grad == null) grad = new float[size()];
        return grad;
    }

    /** Whether a gradient array exists yet. */
    public boolean hasGrad() { return grad != null; }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** Call after changing {@link #values()} in place: invalidates derived copies (the transpose). */
    public void markUpdated() {
        version++;
        modified = true;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (trainable ? " trainable" : " frozen") + (values == null ? " " + store.format() : "");
    }
}
