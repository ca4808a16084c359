package org.tessera.train.model;

import java.util.Map;
import org.tessera.core.kernels.Rope;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.train.Ref;

/**
 * The whole InternVL training objective in float64, written from the definitions (InternViT, pixel shuffle, mlp1,
 * Qwen2 with LoRA / Partial LoRA, cross-entropy over supervised positions), reading parameters by checkpoint name.
 * Used as the finite-difference yardstick for {@link TrainableInternVL#forwardBackward}.
 */
final class RefModel {
    private final InternVLConfig cfg;
    private final Map<String, double[]> p;
    private final int imgCtx;
    private final float loraAlpha;

    RefModel(InternVLConfig cfg, Map<String, double[]> params, int imgCtx, float loraAlpha) {
        this.cfg = cfg;
        this.p = params;
        this.imgCtx = imgCtx;
        this.loraAlpha = loraAlpha;
    }

    private double[] w(String name) {
        double[] v = p.get(name);
        if (v == null) throw new IllegalArgumentException("no " + name);
        return v;
    }

    /** The summed cross-entropy of {@code b}'s supervised positions. */
    double loss(Batch b) {
        Qwen2Config l = (Qwen2Config) cfg.llm();
        int d = l.hiddenSize(), n = b.tokens();
        double[] x = new double[n * d];
        double[] table = w("language_model.model.embed_tokens.weight");
        double[] img = b.tiles() > 0 ? image(b) : null;
        boolean[] imageRows = new boolean[n];
        int next = 0;
        for (int t = 0; t < n; t++) {
            int id = b.ids()[t];
            if (id == imgCtx) {
                imageRows[t] = true;
                System.arraycopy(img, (next++) * d, x, t * d, d);
            } else {
                System.arraycopy(table, id * d, x, t * d, d);
            }
        }
        Rope rope = new Rope(l.headDim(), l.ropeTheta(), Math.max(16, n));
        int qd = l.qDim(), kv = l.kvDim(), inter = l.intermediateSize();
        for (int i = 0; i < l.numLayers(); i++) {
            String m = "language_model.model.layers." + i + ".";
            double[] xn = Ref.rmsNorm(x, n, d, w(m + "input_layernorm.weight"), l.rmsNormEps());
            double[] q = lin(m + "self_attn.q_proj", xn, n, qd, d, true, imageRows);
            double[] k = lin(m + "self_attn.k_proj", xn, n, kv, d, true, imageRows);
            double[] v = lin(m + "self_attn.v_proj", xn, n, kv, d, true, imageRows);
            Ref.rope(q, l.numHeads(), l.headDim(), b.segments(), rope);
            Ref.rope(k, l.numKvHeads(), l.headDim(), b.segments(), rope);
            double[] att = Ref.attention(q, 0, qd, k, 0, kv, v, 0, kv, b.segments(), l.numHeads(), l.numKvHeads(), l.headDim(), true);
            x = Ref.add(x, lin(m + "self_attn.o_proj", att, n, d, qd, false, imageRows));
            double[] xn2 = Ref.rmsNorm(x, n, d, w(m + "post_attention_layernorm.weight"), l.rmsNormEps());
            double[] g = lin(m + "mlp.gate_proj", xn2, n, inter, d, false, imageRows);
            double[] u = lin(m + "mlp.up_proj", xn2, n, inter, d, false, imageRows);
            double[] h = new double[g.length];
            for (int j = 0; j < h.length; j++) h[j] = Ref.silu(g[j]) * u[j];
            x = Ref.add(x, lin(m + "mlp.down_proj", h, n, d, inter, false, imageRows));
        }
        int sup = 0;
        for (int t : b.targets()) if (t >= 0) sup++;
        double[] rows = new double[sup * d];
        int[] targets = new int[sup];
        int r = 0;
        for (int t = 0; t < n; t++) {
            if (b.targets()[t] < 0) continue;
            System.arraycopy(x, t * d, rows, r * d, d);
            targets[r++] = b.targets()[t];
        }
        double[] normed = Ref.rmsNorm(rows, sup, d, w("language_model.model.norm.weight"), l.rmsNormEps());
        double[] head = p.containsKey("language_model.lm_head.weight") ? w("language_model.lm_head.weight") : table;
        double[] logits = Ref.linear(normed, sup, head, l.vocabSize(), d, null);
        return Ref.crossEntropy(logits, sup, l.vocabSize(), targets);
    }

    /** A projection with its bias (when it has one) and its adapter (when one is attached). */
    private double[] lin(String module, double[] x, int m, int out, int in, boolean bias, boolean[] imageRows) {
        double[] y = Ref.linear(x, m, w(module + ".weight"), out, in, bias ? w(module + ".bias") : null);
        for (String tag : new String[] {"lora_", "Plora_"}) {
            double[] a = p.get(module + "." + tag + "A.weight");
            if (a == null) continue;
            double[] bm = w(module + "." + tag + "B.weight");
            int r = a.length / in;
            double s = loraAlpha / r;
            double[] t = Ref.linear(x, m, a, r, in, null);
            double[] u = Ref.linear(t, m, bm, out, r, null);
            for (int i = 0; i < m; i++) {
                if (tag.equals("Plora_") && !imageRows[i]) continue;
                for (int j = 0; j < out; j++) y[i * out + j] += s * u[i * out + j];
            }
        }
        return y;
    }

    /** extract_feature: ViT (select_layer), pixel shuffle, mlp1. */
    private double[] image(Batch b) {
        InternVitConfig v = cfg.vision();
        int tiles = b.tiles(), size = cfg.imageSize(), pp = v.patchSize(), g = size / pp, ch = v.numChannels();
        int c = v.hiddenSize(), seq = 1 + g * g, k = ch * pp * pp, rows = tiles * seq, inter = v.intermediateSize();
        String e = "vision_model.embeddings.";
        double[] cls = w(e + "class_embedding"), pw = w(e + "patch_embedding.weight"), pb = w(e + "patch_embedding.bias"), pos = w(e + "position_embedding");
        double[] px = Ref.toDouble(b.pixels());
        double[] h = new double[rows * c];
        for (int t = 0; t < tiles; t++) {
            for (int j = 0; j < c; j++) h[t * seq * c + j] = cls[j] + pos[j];
            for (int py = 0; py < g; py++) for (int qx = 0; qx < g; qx++) for (int j = 0; j < c; j++) {
                double s = pb[j];
                for (int cc = 0; cc < ch; cc++) for (int ky = 0; ky < pp; ky++) for (int kx = 0; kx < pp; kx++) {
                    s += pw[j * k + (cc * pp + ky) * pp + kx] * px[t * ch * size * size + cc * size * size + (py * pp + ky) * size + qx * pp + kx];
                }
                int tok = 1 + py * g + qx;
                h[(t * seq + tok) * c + j] = s + pos[tok * c + j];
            }
        }
        int[] segs = new int[tiles + 1];
        for (int t = 0; t <= tiles; t++) segs[t] = t * seq;
        boolean ln = v.normType() == InternVitConfig.NormType.LAYER_NORM;
        for (int i = 0; i < cfg.featureLayer(); i++) {
            String m = "vision_model.encoder.layers." + i + ".";
            double[] x = ln ? Ref.layerNorm(h, rows, c, w(m + "norm1.weight"), w(m + "norm1.bias"), v.normEps())
                    : Ref.rmsNorm(h, rows, c, w(m + "norm1.weight"), v.normEps());
            double[] qkv = Ref.linear(x, rows, w(m + "attn.qkv.weight"), 3 * c, c, v.qkvBias() ? w(m + "attn.qkv.bias") : null);
            double[] a = Ref.attention(qkv, 0, 3 * c, qkv, c, 3 * c, qkv, 2 * c, 3 * c, segs, v.numHeads(), v.numHeads(), v.headDim(), false);
            h = Ref.addScaled(h, Ref.linear(a, rows, w(m + "attn.proj.weight"), c, c, w(m + "attn.proj.bias")), w(m + "ls1"));
            double[] x2 = ln ? Ref.layerNorm(h, rows, c, w(m + "norm2.weight"), w(m + "norm2.bias"), v.normEps())
                    : Ref.rmsNorm(h, rows, c, w(m + "norm2.weight"), v.normEps());
            double[] u = Ref.map(Ref.linear(x2, rows, w(m + "mlp.fc1.weight"), inter, c, w(m + "mlp.fc1.bias")), Ref::gelu);
            h = Ref.addScaled(h, Ref.linear(u, rows, w(m + "mlp.fc2.weight"), c, inter, w(m + "mlp.fc2.bias")), w(m + "ls2"));
        }
        int f = cfg.downsampleFactor();
        double[] merged = Ref.pixelShuffle(h, tiles, g, c, f, cfg.pixelShuffle() == InternVLConfig.PixelShuffle.V2);
        int mr = tiles * cfg.tokensPerTile(), in = cfg.projectorInput(), d = cfg.llm().hiddenSize();
        double[] y = Ref.layerNorm(merged, mr, in, w("mlp1.0.weight"), w("mlp1.0.bias"), 1e-5);
        y = Ref.map(Ref.linear(y, mr, w("mlp1.1.weight"), d, in, w("mlp1.1.bias")), Ref::gelu);
        return Ref.linear(y, mr, w("mlp1.3.weight"), d, d, w("mlp1.3.bias"));
    }
}
