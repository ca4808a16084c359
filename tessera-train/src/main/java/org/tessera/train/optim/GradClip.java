package org.tessera.train.optim;

import java.util.List;
import org.tessera.train.Parameter;

/** Clipping by the global L2 norm of all gradients ({@code torch.nn.utils.clip_grad_norm_}). */
public final class GradClip {
    private GradClip() {}

    /** The global norm before clipping; gradients are scaled by {@code max / norm} when the norm exceeds max. */
    public static double clip(List<Parameter> params, double max) {
        double ss = 0;
        for (Parameter p : params) {
            if (!p.hasGrad()) continue;
            double s = 0;
            for (float g : p.grad()) s += (double) g * g;
            ss += s;
        }
        double norm = Math.sqrt(ss);
        if (max > 0 && norm > max) {
            float f = (float) (max / (norm + 1e-6));
            for (Parameter p : params) {
                if (!p.hasGrad()) continue;
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) g[i] *= f;
            }
        }
        return norm;
    }
}
