package org.tessera.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Activations;

/**
 * The elementwise steps between the kernels that tessera-core has no kernel for (yet): residual adds, layer-scaled
 * residual adds and GELU over part of an array. They are memory-bound one-pass loops, vectorised and split over the
 * pool only when large enough for the hand-off to pay. Kept here, at the call sites' side, so the models need no
 * loops of their own over big arrays.
 */
public final class RowOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    /** Below this many floats one thread does it (a pool hand-off costs about as much as 64 K adds). */
    private static final int PARALLEL_MIN = 1 << 16;

    private RowOps() {}

    /** {@code dst[dOff + i] += src[sOff + i]} for i < n. */
    public static void add(float[] dst, int dOff, float[] src, int sOff, int n) {
        chunks(n, (a, b) -> {
            int i = a;
            for (; i <= b - L; i += L) {
                FloatVector.fromArray(F, dst, dOff + i).add(FloatVector.fromArray(F, src, sOff + i)).intoArray(dst, dOff + i);
            }
            for (; i < b; i++) dst[dOff + i] += src[sOff + i];
        });
    }

    /**
     * Layer-scaled residual: {@code dst[r, c] += scale[c] · src[r, c]} over {@code rows × dim} row-major (InternViT's
     * {@code h + ls · f(h)}).
     */
    public static void addScaled(float[] dst, float[] src, float[] scale, int rows, int dim) {
        int rowsPerChunk = Math.max(1, PARALLEL_MIN / Math.max(1, dim));
        Parallel.BlockBody body = (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                int c = 0;
                for (; c <= dim - L; c += L) {
                    FloatVector.fromArray(F, src, o + c).fma(FloatVector.fromArray(F, scale, c), FloatVector.fromArray(F, dst, o + c))
                            .intoArray(dst, o + c);
                }
                for (; c < dim; c++) dst[o + c] = Math.fma(src[o + c], scale[c], dst[o + c]);
            }
        };
        if (rows <= rowsPerChunk) body.run(0, rows);
        else Parallel.forBlocks(rows, body);
    }

    /** Exact GELU in place on {@code x[off .. off + n)}. */
    public static void gelu(float[] x, int off, int n) {
        chunks(n, (a, b) -> Activations.gelu(x, off + a, x, off + a, b - a));
    }

    /** SwiGLU in place into {@code gate}: {@code gate[i] = silu(gate[i]) · up[i]} for i < n. */
    public static void siluMul(float[] gate, float[] up, int n) {
        chunks(n, (a, b) -> Activations.siluMul(gate, a, up, a, gate, a, b - a));
    }

    private static void chunks(int n, Parallel.BlockBody body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        int chunk = 1 << 14; // a multiple of the vector length, so every chunk but the last runs full vectors
        int count = (n + chunk - 1) / chunk;
        Parallel.forBlocks(count, (c0, c1) -> body.run(c0 * chunk, Math.min(n, c1 * chunk)));
    }
}
