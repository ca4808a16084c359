package org.tessera.train.nn;

import org.tessera.core.kernels.Activations;

/**
 * The gated MLP product of Qwen2 / InternLM2, {@code h = silu(g)·u}, forward on the runtime's kernel. Backward with
 * σ = sigmoid(g): {@code dg = dh·u·σ·(1 + g·(1 − σ))}, {@code du = dh·g·σ}.
 */
public final class SwiGlu {
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
        for (int i = 0; i < g.length; i++) {
            double gi = g[i];
            double s = 1.0 / (1.0 + Math.exp(-gi));
            dg[i] = (float) (dh[i] * u[i] * s * (1 + gi * (1 - s)));
            du[i] = (float) (dh[i] * gi * s);
        }
        return new float[][] {dg, du};
    }

    public void clear() {
        g = null;
        u = null;
    }
}
