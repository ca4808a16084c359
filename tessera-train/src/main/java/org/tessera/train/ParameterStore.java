package org.tessera.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tessera.core.DType;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsFile;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.core.tensor.Tensor;

/**
 * The named parameters of a model being trained, in declaration order. Layers declare what they need by checkpoint
 * name and shape; the store reads each tensor from the checkpoint (shape-checked, matrices left in place in their
 * stored dtype until made trainable) or, when there is no checkpoint or it lacks the tensor and the caller allows it,
 * initialises it from a seeded generator.
 */
public final class ParameterStore {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Checkpoint checkpoint;
    private final SplittableRandom rng;

    private ParameterStore(Checkpoint checkpoint, long seed) {
        this.checkpoint = checkpoint;
        this.rng = new SplittableRandom(seed);
    }

    /** Parameters read from {@code checkpoint} (kept open by the caller while the store is used). */
    public static ParameterStore fromCheckpoint(Checkpoint checkpoint, long seed) {
        return new ParameterStore(checkpoint, seed);
    }

    /** Parameters initialised from {@code seed}, no checkpoint. */
    public static ParameterStore random(long seed) {
        return new ParameterStore(null, seed);
    }

    public Checkpoint checkpoint() { return checkpoint; }

    /** Whether the checkpoint holds {@code name}. */
    public boolean inCheckpoint(String name) {
        return checkpoint != null && checkpoint.contains(name);
    }

    /** A matrix parameter ({@code [shape[0], rest]} for the kernels). */
    public Parameter matrix(String name, long[] shape, Init init) {
        return declare(name, shape, true, init);
    }

    /** A vector parameter (norm weights, biases, layer scales, class and position embeddings). */
    public Parameter vector(String name, long[] shape, Init init) {
        return declare(name, shape, false, init);
    }

    /** Adds a parameter made elsewhere (adapters). */
    public Parameter add(Parameter p) {
        if (params.putIfAbsent(p.name(), p) != null) throw new IllegalArgumentException("parameter " + p.name() + " declared twice");
        return p;
    }

    /** A new float32 parameter initialised from this store's generator, not read from the checkpoint. */
    public Parameter fresh(String name, long[] shape, boolean matrix, Init init) {
        Parameter p = Parameter.ofValues(name, shape, matrix, initValues(shape, matrix, init), null);
        return add(p);
    }

    private Parameter declare(String name, long[] shape, boolean matrix, Init init) {
        if (params.containsKey(name)) throw new IllegalArgumentException("parameter " + name + " declared twice");
        Parameter p;
        if (inCheckpoint(name)) {
            SafetensorsFile.TensorInfo info = checkpoint.info(name);
            if (!Arrays.equals(info.shape(), shape)) {
                throw new IllegalArgumentException(checkpoint.pathOf(name).getFileName() + ": tensor " + name + " has shape "
                        + Arrays.toString(info.shape()) + ", the config implies " + Arrays.toString(shape));
            }
            Tensor t = checkpoint.tensor(name);
            if (!Tensor.isFloating(t.dtype())) throw new IllegalArgumentException(name + ": dtype " + t.dtype() + " is not floating point");
            if (matrix && (t.dtype() == DType.F32 || t.dtype() == DType.BF16 || t.dtype() == DType.F16)) {
                int rows = (int) shape[0];
                int cols = (int) (Tensor.elementCount(shape) / shape[0]);
                p = Parameter.ofStored(name, shape, WeightMatrix.of(t.segment(), t.dtype(), rows, cols), t);
            } else {
                p = Parameter.ofValues(name, shape, matrix, t.toFloatArray(), t);
            }
        } else if (checkpoint == null || allowMissing) {
            if (init == null) throw new IllegalArgumentException("no initialisation for " + name);
            p = Parameter.ofValues(name, shape, matrix, initValues(shape, matrix, init), null);
        } else {
            throw new IllegalArgumentException(checkpoint.source().getFileName() + ": missing tensor " + name);
        }
        return add(p);
    }

    private boolean allowMissing;

    /** Lets tensors missing from the checkpoint be initialised instead of failing (a new head, a partial checkpoint). */
    public ParameterStore allowMissing(boolean on) {
        allowMissing = on;
        return this;
    }

    private float[] initValues(long[] shape, boolean matrix, Init init) {
        int n = (int) Tensor.elementCount(shape);
        int rows = matrix ? (int) shape[0] : 1;
        float[] v = new float[n];
        init.fill(v, rows, n / rows, rng.split());
        return v;
    }

    public Parameter get(String name) {
        Parameter p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter " + name);
        return p;
    }

    public boolean contains(String name) { return params.containsKey(name); }

    public Collection<Parameter> all() { return params.values(); }

    public List<Parameter> trainable() {
        List<Parameter> l = new ArrayList<>();
        for (Parameter p : params.values()) if (p.trainable()) l.add(p);
        return l;
    }

    public long count(boolean trainableOnly) {
        long n = 0;
        for (Parameter p : params.values()) if (!trainableOnly || p.trainable()) n += p.size();
        return n;
    }

    public void zeroGrads() {
        for (Parameter p : params.values()) p.zeroGrad();
    }
}
