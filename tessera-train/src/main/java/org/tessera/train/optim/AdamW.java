package org.tessera.train.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.core.Parallel;
import org.tessera.train.Parameter;

/**
 * AdamW (Loshchilov &amp; Hutter): Adam with decoupled weight decay, as {@code torch.optim.AdamW} computes it. Per
 * parameter with learning rate η = lr·lrScale (layer-wise decay) and step t:
 * <pre>
 *   p ← p − η·λ·p                         (only where the parameter takes weight decay)
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
 *   p ← p − η·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 * </pre>
 * The moments are float32 arrays like the master weights; {@link #state} exposes them for checkpoints.
 */
public final class AdamW {
    /** Moments of one parameter. */
    public record Moments(float[] m, float[] v) {}

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<Parameter, Moments> state = new IdentityHashMap<>();
    private long step;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("betas must be in [0, 1)");
        if (eps <= 0 || weightDecay < 0) throw new IllegalArgumentException("eps must be positive and weight decay non-negative");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Steps taken so far (t of the bias correction). */
    public long stepCount() { return step; }

    /** Sets the step count (resuming). */
    public void stepCount(long s) { step = s; }

    /** The moments of {@code p}, created zero on first use. */
    public Moments state(Parameter p) {
        return state.computeIfAbsent(p, q -> new Moments(new float[q.size()], new float[q.size()]));
    }

    /** One update of every parameter in {@code params} that has a gradient, at base learning rate {@code lr}. */
    public void step(List<Parameter> params, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        for (Parameter p : params) {
            if (!p.trainable() || !p.hasGrad()) continue;
            Moments mo = state(p);
            float[] w = p.values(), g = p.grad(), m = mo.m(), v = mo.v();
            double eta = lr * p.lrScale();
            double decay = p.weightDecay() ? 1 - eta * weightDecay : 1;
            Parallel.BlockBody body = (a, b) -> {
                for (int i = a; i < b; i++) {
                    double gi = g[i];
                    double mi = beta1 * m[i] + (1 - beta1) * gi;
                    double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
                    m[i] = (float) mi;
                    v[i] = (float) vi;
                    double update = (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
                    w[i] = (float) (w[i] * decay - eta * update);
                }
            };
            if (w.length < 1 << 16) body.run(0, w.length);
            else Parallel.forBlocks(w.length, body);
            p.markUpdated();
        }
    }
}
