package org.tessera.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tessera.core.io.Checkpoint;
import org.tessera.model.internlm2.ReferenceInternLM2;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.model.phi3.ReferencePhi3;
import org.tessera.model.qwen2.Qwen2Config;

import static org.tessera.model.RefMath.*;

/**
 * A plain reference forward pass of InternVL (InternViT + pixel shuffle + mlp1 + Qwen2) for tests: double
 * precision throughout, straight loops, no kernels, no blocking, no caches, materialised attention matrices, and the
 * pixel shuffle done literally as the original's view/permute sequence. It reads the weights by their checkpoint
 * names itself (written out here independently of the production loaders) and takes hyper-parameters from the
 * parsed config; the InternLM2 and Phi-3 language models go to their own references ({@link ReferenceInternLM2},
 * {@link ReferencePhi3}), which read llm_config themselves. Only meant for tiny models.
 *
 * <p>Where the original code prescribes float32 (RoPE's inverse frequencies and angles, as transformers builds
 * them; torch's bicubic source coordinates), those values are rounded to float as there; all else is double.
 */
public final class ReferenceInternVL {
    private final Checkpoint ck;
    private final InternVLConfig cfg;
    private final JsonNode llmConfig;

    public ReferenceInternVL(Path dir) {
        this.cfg = InternVLConfig.load(dir);
        try {
            this.llmConfig = new ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("llm_config");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.ck = Checkpoint.open(dir);
    }

    public InternVLConfig config() { return cfg; }

    public void close() { ck.close(); }

    double[] t(String name) {
        float[] f = ck.tensor(name).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    // ------------------------------------------------------------------ InternViT

    /** hidden_states[layer] for each tile: [tiles][1 + N][C]. */
    public double[][][] vit(float[] pixels, int tiles, int size, int layer) {
        InternVitConfig v = cfg.vision();
        int c = v.hiddenSize(), p = v.patchSize(), ch = v.numChannels(), g = size / p, n = g * g;
        String e = "vision_model.embeddings.";
        double[] w = t(e + "patch_embedding.weight"), b = t(e + "patch_embedding.bias");
        double[] cls = t(e + "class_embedding");
        double[] pos = positions(t(e + "position_embedding"), v.gridSize(), g, c);
        double[][][] h = new double[tiles][1 + n][c];
        for (int tile = 0; tile < tiles; tile++) {
            for (int j = 0; j < c; j++) h[tile][0][j] = cls[j] + pos[j];
            for (int py = 0; py < g; py++) {
                for (int px = 0; px < g; px++) {
                    for (int o = 0; o < c; o++) {
                        double s = b[o];
                        for (int cc = 0; cc < ch; cc++) {
                            for (int ky = 0; ky < p; ky++) {
                                for (int kx = 0; kx < p; kx++) {
                                    double x = pixels[((tile * ch + cc) * size + py * p + ky) * size + px * p + kx];
                                    s += w[((o * ch + cc) * p + ky) * p + kx] * x;
                                }
                            }
                        }
                        int tok = 1 + py * g + px;
                        h[tile][tok][o] = s + pos[tok * c + o];
                    }
                }
            }
        }
        for (int l = 0; l < layer; l++) {
            for (int tile = 0; tile < tiles; tile++) h[tile] = vitLayer(l, h[tile]);
        }
        return h;
    }

    /** [1 + g², C] position table: the stored one resampled to g×g with torch's bicubic (A = −0.75, clamped borders). */
    static double[] positions(double[] stored, int g0, int g, int c) {
        if (g == g0) return stored;
        double[] out = new double[(1 + g * g) * c];
        System.arraycopy(stored, 0, out, 0, c);
        for (int oy = 0; oy < g; oy++) {
            for (int ox = 0; ox < g; ox++) {
                double[] wy = new double[4], wx = new double[4];
                int by = cubic(g0, g, oy, wy), bx = cubic(g0, g, ox, wx);
                for (int j = 0; j < c; j++) {
                    double s = 0;
                    for (int a = 0; a < 4; a++) {
                        int yy = Math.clamp(by - 1 + a, 0, g0 - 1);
                        for (int bb = 0; bb < 4; bb++) {
                            int xx = Math.clamp(bx - 1 + bb, 0, g0 - 1);
                            s += wy[a] * wx[bb] * stored[(1 + yy * g0 + xx) * c + j];
                        }
                    }
                    out[(1 + oy * g + ox) * c + j] = s;
                }
            }
        }
        return out;
    }

    /** torch bicubic (align_corners=False) taps for output index o: returns the base index, fills 4 weights. */
    static int cubic(int in, int out, int o, double[] wts) {
        float scale = (float) in / out;                   // torch computes the scale and coordinate in float
        float src = scale * (o + 0.5f) - 0.5f;
        int base = (int) Math.min(Math.floor(src), in - 1);
        double t = Math.min(Math.max(src - base, 0.0), 1.0);
        double a = -0.75;
        double[] d = {t + 1, t, 1 - t, 2 - t};
        for (int i = 0; i < 4; i++) {
            double x = Math.abs(d[i]);
            wts[i] = x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return base;
    }

    double[][] vitLayer(int l, double[][] h) {
        InternVitConfig v = cfg.vision();
        int c = v.hiddenSize(), heads = v.numHeads(), hd = v.headDim(), n = h.length;
        String pre = "vision_model.encoder.layers." + l + ".";
        boolean ln = v.normType() == InternVitConfig.NormType.LAYER_NORM;
        double eps = v.normEps();
        double[] ls1 = t(pre + "ls1"), ls2 = t(pre + "ls2");
        double[] n1w = t(pre + "norm1.weight"), n1b = ln ? t(pre + "norm1.bias") : null;
        double[] n2w = t(pre + "norm2.weight"), n2b = ln ? t(pre + "norm2.bias") : null;
        double[] qn = v.qkNorm() ? t(pre + "attn.q_norm.weight") : null, kn = v.qkNorm() ? t(pre + "attn.k_norm.weight") : null;
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = ln ? layerNorm(h[i], n1w, n1b, eps) : rmsNorm(h[i], n1w, eps);
        double[][] qkv = linear(x, t(pre + "attn.qkv.weight"), v.qkvBias() ? t(pre + "attn.qkv.bias") : null, 3 * c);
        double[][] q = new double[n][c], k = new double[n][c], val = new double[n][c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(qkv[i], 0, q[i], 0, c);
            System.arraycopy(qkv[i], c, k[i], 0, c);
            System.arraycopy(qkv[i], 2 * c, val[i], 0, c);
            if (v.qkNorm()) {
                q[i] = rmsNorm(q[i], qn, eps);
                k[i] = rmsNorm(k[i], kn, eps);
            }
        }
        double[][] att = attention(q, k, val, heads, heads, hd, false);
        double[][] proj = linear(att, t(pre + "attn.proj.weight"), t(pre + "attn.proj.bias"), c);
        double[][] h1 = new double[n][c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) h1[i][j] = h[i][j] + ls1[j] * proj[i][j];
        for (int i = 0; i < n; i++) x[i] = ln ? layerNorm(h1[i], n2w, n2b, eps) : rmsNorm(h1[i], n2w, eps);
        double[][] f1 = linear(x, t(pre + "mlp.fc1.weight"), t(pre + "mlp.fc1.bias"), v.intermediateSize());
        for (double[] row : f1) for (int j = 0; j < row.length; j++) row[j] = gelu(row[j]);
        double[][] f2 = linear(f1, t(pre + "mlp.fc2.weight"), t(pre + "mlp.fc2.bias"), c);
        double[][] out = new double[n][c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) out[i][j] = h1[i][j] + ls2[j] * f2[i][j];
        return out;
    }

    // ------------------------------------------------------------------ projector

    /** extract_feature's tail: drop CLS, pixel_shuffle exactly as written in the original, mlp1. [tiles·k][D]. */
    public double[][] project(double[][][] feats) {
        int tiles = feats.length, c = cfg.vision().hiddenSize();
        int g = (int) Math.round(Math.sqrt(feats[0].length - 1));
        double s = cfg.downsampleRatio();
        // x: [n, w, h, c] with w = rows, h = cols
        double[] x = new double[tiles * g * g * c];
        for (int n = 0; n < tiles; n++) for (int i = 0; i < g * g; i++) System.arraycopy(feats[n][1 + i], 0, x, (n * g * g + i) * c, c);
        // x.view(n, w, h*s, c/s) is free; .permute(0, 2, 1, 3)
        int hs = (int) (g * s), cs = (int) (c / s);
        x = permute0213(x, tiles, g, hs, cs);
        // .view(n, h*s, w*s, c/(s*s)) is free; v2: .permute(0, 2, 1, 3)
        int ws = (int) (g * s), css = (int) (c / (s * s));
        if (cfg.pixelShuffle() == InternVLConfig.PixelShuffle.V2) x = permute0213(x, tiles, hs, ws, css);
        int rows = tiles * hs * ws;
        double[][] m = new double[rows][css];
        for (int r = 0; r < rows; r++) System.arraycopy(x, r * css, m[r], 0, css);
        double[] nw = t("mlp1.0.weight"), nb = t("mlp1.0.bias");
        for (int r = 0; r < rows; r++) m[r] = layerNorm(m[r], nw, nb, 1e-5);
        int d = cfg.llm().hiddenSize();
        double[][] a = linear(m, t("mlp1.1.weight"), t("mlp1.1.bias"), d);
        for (double[] row : a) for (int j = 0; j < d; j++) row[j] = gelu(row[j]);
        return linear(a, t("mlp1.3.weight"), t("mlp1.3.bias"), d);
    }

    /** A contiguous [a, b, c, d] array permuted to [a, c, b, d] (torch's .permute(0, 2, 1, 3).contiguous()). */
    public static double[] permute0213(double[] x, int a, int b, int c, int d) {
        double[] y = new double[x.length];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                for (int k = 0; k < c; k++)
                    for (int l = 0; l < d; l++) y[((i * c + k) * b + j) * d + l] = x[((i * b + j) * c + k) * d + l];
        return y;
    }

    // ------------------------------------------------------------------ language models

    /** Logits [T][V] for the given input embeddings (rows already spliced), by the config's language model. */
    public double[][] llm(double[][] emb) {
        return switch (cfg.llm().architecture()) {
            case "Qwen2ForCausalLM" -> qwen2(emb);
            case "InternLM2ForCausalLM" -> new ReferenceInternLM2(ck, "language_model.", llmConfig).logits(emb);
            case "Phi3ForCausalLM" -> new ReferencePhi3(ck, "language_model.", llmConfig).logits(emb);
            default -> throw new AssertionError("no reference for " + cfg.llm().architecture());
        };
    }

    /** Qwen2 / Qwen2.5: q/k/v with biases, o_proj and MLP without, plain RoPE. */
    double[][] qwen2(double[][] emb) {
        Qwen2Config q = (Qwen2Config) cfg.llm();
        int tcount = emb.length, d = q.hiddenSize(), hd = q.headDim();
        float[] inv = invFreq(hd, q.ropeTheta(), null);
        double eps = q.rmsNormEps();
        double[][] x = new double[tcount][];
        for (int i = 0; i < tcount; i++) x[i] = emb[i].clone();
        for (int l = 0; l < q.numLayers(); l++) {
            String pre = "language_model.model.layers." + l + ".";
            double[] inNorm = t(pre + "input_layernorm.weight"), postNorm = t(pre + "post_attention_layernorm.weight");
            double[][] a = new double[tcount][];
            for (int i = 0; i < tcount; i++) a[i] = rmsNorm(x[i], inNorm, eps);
            double[][] qs = linear(a, t(pre + "self_attn.q_proj.weight"), t(pre + "self_attn.q_proj.bias"), q.qDim());
            double[][] ks = linear(a, t(pre + "self_attn.k_proj.weight"), t(pre + "self_attn.k_proj.bias"), q.kvDim());
            double[][] vs = linear(a, t(pre + "self_attn.v_proj.weight"), t(pre + "self_attn.v_proj.bias"), q.kvDim());
            for (int i = 0; i < tcount; i++) {
                rope(qs[i], q.numHeads(), hd, i, inv, 1);
                rope(ks[i], q.numKvHeads(), hd, i, inv, 1);
            }
            double[][] att = attention(qs, ks, vs, q.numHeads(), q.numKvHeads(), hd, true);
            double[][] o = linear(att, t(pre + "self_attn.o_proj.weight"), null, d);
            for (int i = 0; i < tcount; i++) for (int j = 0; j < d; j++) x[i][j] += o[i][j];
            for (int i = 0; i < tcount; i++) a[i] = rmsNorm(x[i], postNorm, eps);
            double[][] gate = linear(a, t(pre + "mlp.gate_proj.weight"), null, q.intermediateSize());
            double[][] up = linear(a, t(pre + "mlp.up_proj.weight"), null, q.intermediateSize());
            for (int i = 0; i < tcount; i++) {
                for (int j = 0; j < gate[i].length; j++) gate[i][j] = gate[i][j] / (1 + Math.exp(-gate[i][j])) * up[i][j];
            }
            double[][] down = linear(gate, t(pre + "mlp.down_proj.weight"), null, d);
            for (int i = 0; i < tcount; i++) for (int j = 0; j < d; j++) x[i][j] += down[i][j];
        }
        double[] finalNorm = t("language_model.model.norm.weight");
        for (int i = 0; i < tcount; i++) x[i] = rmsNorm(x[i], finalNorm, eps);
        boolean tied = q.tieWordEmbeddings() || !ck.contains("language_model.lm_head.weight");
        double[] head = t(tied ? "language_model.model.embed_tokens.weight" : "language_model.lm_head.weight");
        return linear(x, head, null, q.vocabSize());
    }

    /** Token embeddings with IMG_CONTEXT rows replaced by the image rows in order. */
    public double[][] embed(int[] ids, double[][] image, int imgContext) {
        int d = cfg.llm().hiddenSize();
        String name = cfg.llm().architecture().equals("InternLM2ForCausalLM") ? "tok_embeddings" : "embed_tokens";
        double[] table = t("language_model.model." + name + ".weight");
        double[][] x = new double[ids.length][d];
        int next = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == imgContext) x[i] = image[next++].clone();
            else System.arraycopy(table, ids[i] * d, x[i], 0, d);
        }
        if (next != image.length) throw new AssertionError("image rows left over");
        return x;
    }
}
