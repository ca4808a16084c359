package org.tessera.train.model;

import java.util.List;
import org.tessera.train.Init;
import org.tessera.train.Parameter;
import org.tessera.train.ParameterStore;
import org.tessera.train.nn.Gelu;
import org.tessera.train.nn.LayerNorm;
import org.tessera.train.nn.Linear;

/** InternVL's {@code mlp1}: LayerNorm (ε 1e-5), Linear, exact GELU, Linear, with its backward. */
final class Projector {
    /** nn.LayerNorm's default, which mlp1 keeps. */
    static final float NORM_EPS = 1e-5f;

    private final LayerNorm norm;
    private final Linear fc1;
    private final Linear fc2;
    private final Gelu gelu = new Gelu();
    private final List<Parameter> params;

    Projector(ParameterStore s, int in, int d) {
        Parameter nw = s.vector("mlp1.0.weight", new long[] {in}, Init.ones());
        Parameter nb = s.vector("mlp1.0.bias", new long[] {in}, Init.zeros());
        Parameter w1 = s.matrix("mlp1.1.weight", new long[] {d, in}, Init.normal(0.02));
        Parameter b1 = s.vector("mlp1.1.bias", new long[] {d}, Init.zeros());
        Parameter w2 = s.matrix("mlp1.3.weight", new long[] {d, d}, Init.normal(0.02));
        Parameter b2 = s.vector("mlp1.3.bias", new long[] {d}, Init.zeros());
        norm = new LayerNorm(nw, nb, NORM_EPS);
        fc1 = new Linear(w1, b1);
        fc2 = new Linear(w2, b2);
        params = List.of(nw, nb, w1, b1, w2, b2);
    }

    List<Parameter> parameters() { return params; }

    boolean trainable() {
        for (Parameter p : params) if (p.trainable()) return true;
        return false;
    }

    float[] forward(float[] merged, int rows) {
        return fc2.forward(gelu.forward(fc1.forward(norm.forward(merged, rows), rows)), rows);
    }

    /** Returns the gradient of the merged input when {@code needDx}. */
    float[] backward(float[] dOut, boolean needDx) {
        float[] d = gelu.backward(fc2.backward(dOut, true));
        d = fc1.backward(d, needDx || norm.weight().trainable() || norm.bias().trainable());
        return d == null ? null : norm.backward(d);
    }

    void clear() {
        norm.clear();
        fc1.clear();
        fc2.clear();
        gelu.clear();
    }
}
