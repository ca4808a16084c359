package org.tessera.train.model;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.Attention;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.train.Init;
import org.tessera.train.Parameter;
import org.tessera.train.ParameterStore;
import org.tessera.train.kernels.AttentionBackward;
import org.tessera.train.kernels.Products;
import org.tessera.train.nn.Gelu;
import org.tessera.train.nn.LayerNorm;
import org.tessera.train.nn.LayerScale;
import org.tessera.train.nn.Linear;
import org.tessera.train.nn.Norm;
import org.tessera.train.nn.RmsNorm;

/**
 * One InternViT encoder layer with its backward pass (the runtime's {@code InternVit.layer}, step for step):
 * <pre>
 *   h = h + ls1 ∘ proj(attn(qkv(norm1(h))))        bidirectional multi-head attention within each tile
 *   h = h + ls2 ∘ fc2(gelu(fc1(norm2(h))))
 * </pre>
 */
final class VitLayer {
    private final InternVitConfig cfg;
    private final Norm norm1;
    private final Norm norm2;
    private final Linear qkv;
    private final Linear proj;
    private final Linear fc1;
    private final Linear fc2;
    private final LayerScale ls1;
    private final LayerScale ls2;
    private final Gelu gelu = new Gelu();
    private final List<Parameter> params = new ArrayList<>();

    private float[] qkvOut;
    private int tiles;
    private int seq;

    VitLayer(ParameterStore s, String prefix, InternVitConfig cfg, float layerScaleInit) {
        if (cfg.qkNorm()) throw new IllegalArgumentException("training InternViT with qk_normalization (InternViT-6B) is not supported");
        this.cfg = cfg;
        int c = cfg.hiddenSize(), inter = cfg.intermediateSize();
        Init w = Init.truncNormal(0.02);
        norm1 = norm(s, prefix + "norm1");
        qkv = new Linear(param(s.matrix(prefix + "attn.qkv.weight", new long[] {3L * c, c}, w)),
                cfg.qkvBias() ? param(s.vector(prefix + "attn.qkv.bias", new long[] {3L * c}, Init.zeros())) : null);
        proj = new Linear(param(s.matrix(prefix + "attn.proj.weight", new long[] {c, c}, w)),
                param(s.vector(prefix + "attn.proj.bias", new long[] {c}, Init.zeros())));
        ls1 = new LayerScale(param(s.vector(prefix + "ls1", new long[] {c}, Init.constant(layerScaleInit))));
        norm2 = norm(s, prefix + "norm2");
        fc1 = new Linear(param(s.matrix(prefix + "mlp.fc1.weight", new long[] {inter, c}, w)),
                param(s.vector(prefix + "mlp.fc1.bias", new long[] {inter}, Init.zeros())));
        fc2 = new Linear(param(s.matrix(prefix + "mlp.fc2.weight", new long[] {c, inter}, w)),
                param(s.vector(prefix + "mlp.fc2.bias", new long[] {c}, Init.zeros())));
        ls2 = new LayerScale(param(s.vector(prefix + "ls2", new long[] {c}, Init.constant(layerScaleInit))));
    }

    private Norm norm(ParameterStore s, String name) {
        int c = cfg.hiddenSize();
        float eps = (float) cfg.normEps();
        Parameter w = param(s.vector(name + ".weight", new long[] {c}, Init.ones()));
        if (cfg.normType() == InternVitConfig.NormType.LAYER_NORM) {
            return new LayerNorm(w, param(s.vector(name + ".bias", new long[] {c}, Init.zeros())), eps);
        }
        return new RmsNorm(w, eps);
    }

    private Parameter param(Parameter p) {
        params.add(p);
        return p;
    }

    List<Parameter> parameters() { return params; }

    List<Linear> linears() { return List.of(qkv, proj, fc1, fc2); }

    /** The layer's output for {@code h [tiles·seq, C]} (a new array). */
    float[] forward(float[] h, int tiles, int seq) {
        int c = cfg.hiddenSize(), rows = tiles * seq;
        this.tiles = tiles;
        this.seq = seq;
        float[] x = norm1.forward(h, rows);
        qkvOut = qkv.forward(x, rows);
        float[] a = attention(qkvOut, tiles, seq);
        float[] h1 = ls1.forward(h, proj.forward(a, rows), rows);
        float[] x2 = norm2.forward(h1, rows);
        float[] u = gelu.forward(fc1.forward(x2, rows));
        return ls2.forward(h1, fc2.forward(u, rows), rows);
    }

    /** Per tile, as the runtime: q copied out of the fused qkv rows, k and v read in place. */
    private float[] attention(float[] qkv, int tiles, int seq) {
        int c = cfg.hiddenSize(), c3 = 3 * c, hd = cfg.headDim(), heads = cfg.numHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] q = new float[seq * c], o = new float[seq * c], a = new float[tiles * seq * c];
        for (int t = 0; t < tiles; t++) {
            int row0 = t * seq;
            for (int i = 0; i < seq; i++) System.arraycopy(qkv, (row0 + i) * c3, q, i * c, c);
            Attention.attention(q, qkv, row0 * c3 + c, c3, hd, qkv, row0 * c3 + 2 * c, c3, hd, o,
                    seq, seq, heads, heads, hd, scale, false, 0);
            System.arraycopy(o, 0, a, row0 * c, seq * c);
        }
        return a;
    }

    /** Accumulates the parameter gradients for {@code dOut} and returns the gradient of the input when {@code needDx}. */
    float[] backward(float[] dOut, boolean needDx) {
        int c = cfg.hiddenSize(), rows = tiles * seq, hd = cfg.headDim(), heads = cfg.numHeads();
        // MLP block: h2 = h1 + ls2 ∘ fc2(gelu(fc1(norm2(h1))))
        float[] dh1 = dOut.clone();
        float[] du = gelu.backward(fc2.backward(ls2.backward(dOut), true));
        Products.add(dh1, 0, norm2.backward(fc1.backward(du, true)), 0, rows * c);
        // attention block: h1 = h + ls1 ∘ proj(attn(qkv(norm1(h))))
        float[] da = proj.backward(ls1.backward(dh1), true);
        float[] dqkv = new float[rows * 3 * c];
        int[] starts = new int[tiles + 1];
        for (int t = 0; t <= tiles; t++) starts[t] = t * seq;
        AttentionBackward.backward(qkvOut, 0, 3 * c, qkvOut, c, 3 * c, qkvOut, 2 * c, 3 * c, da, 0, c,
                dqkv, dqkv, dqkv, starts, heads, heads, hd, (float) (1.0 / Math.sqrt(hd)), false);
        float[] dx = qkv.backward(dqkv, true);
        float[] dn = norm1.backward(dx);
        if (!needDx) return null;
        Products.add(dh1, 0, dn, 0, rows * c);
        return dh1;
    }

    void clear() {
        qkvOut = null;
        norm1.clear();
        norm2.clear();
        for (Linear l : linears()) l.clear();
        ls1.clear();
        ls2.clear();
        gelu.clear();
    }
}
