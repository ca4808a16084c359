package org.tessera.train.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.core.kernels.Activations;

/**
 * The gated MLP product of Qwen2 / InternLM2, {@code h = silu(g)·u}, forward on the runtime's kernel. Backward with
 * σ = sigmoid(g): {@code dg = dh·u·σ·(1 + g·(1 − σ))}, {@code du = dh·g·σ}.
 */
public final class SwiGlu {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = F.length();
    private float[] g;
    private float[] u;

    /** A new array {@code silu(gate)·up}. */
    public float[] forward(float[] gate, float[] up) {
        float[] h = new float[gate.length];
        int n = gate.length, chunk = 1 << 14;
        if (n < 1 << 16) {
            Activations.siluMul(gate, 0, up, 0, h, 0, n);
        } else {
            int count = (n + chunk - 1) / chunk;
            org.tessera.core.Parallel.forBlocks(count, (c0, c1) -> {
                int a = c0 * chunk, b = Math.min(n, c1 * chunk);
                Activations.siluMul(gate, a, up, a, h, a, b - a);
            });
        }
        this.g = gate;
        this.u = up;
        return h;
    }

    /** {@code {dGate, dUp}}. */
    public float[][] backward(float[] dh) {
        float[] dg = new float[g.length], du = new float[g.length];
        Gelu.chunks(g.length, (a, b) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = a;
            for (; i <= b - L; i += L) {
                FloatVector gv = FloatVector.fromArray(F, g, i);
                // σ from e = e^(−|g|) ∈ (0, 1]: 1/(1+e) for g ≥ 0, e/(1+e) below (never overflows)
                FloatVector e = org.tessera.core.kernels.VectorMath.exp(gv.abs().neg());
                FloatVector sig = one.blend(e, gv.compare(VectorOperators.LT, 0f)).div(e.add(1f));
                FloatVector d = FloatVector.fromArray(F, dh, i);
                FloatVector gs = gv.mul(sig);
                FloatVector.fromArray(F, u, i).mul(d).mul(sig.add(gs.mul(one.sub(sig)))).intoArray(dg, i);
                d.mul(gs).intoArray(du, i);
            }
            for (; i < b; i++) {
                double gi = g[i];
                double sg = 1.0 / (1.0 + Math.exp(-gi));
                dg[i] = (float) (dh[i] * u[i] * sg * (1 + gi * (1 - sg)));
                du[i] = (float) (dh[i] * gi * sg);
            }
        });
        return new float[][] {dg, du};
    }

    public void clear() {
        g = null;
        u = null;
    }
}
