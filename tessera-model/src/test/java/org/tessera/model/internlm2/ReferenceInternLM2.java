package org.tessera.model.internlm2;

import static org.tessera.model.RefMath.attention;
import static org.tessera.model.RefMath.invFreq;
import static org.tessera.model.RefMath.linear;
import static org.tessera.model.RefMath.rmsNorm;
import static org.tessera.model.RefMath.rope;
import static org.tessera.model.RefMath.silu;

import com.fasterxml.jackson.databind.JsonNode;
import org.tessera.core.io.Checkpoint;

/**
 * A plain double-precision InternLM2 forward pass for tests, written from the remote-code
 * {@code modeling_internlm2.py} (InternVL repository) and nothing else: hyper-parameters read from the raw
 * {@code llm_config} JSON with {@code InternLM2Config}'s defaults, weights by their checkpoint names, the fused
 * {@code wqkv} output split exactly as the reference's
 * {@code rearrange(qkv, 'b q (h gs d) -> b q h gs d', gs=2+g)}, {@code query = [..., :g, :]} flattened {@code (h gs)},
 * {@code key = [..., -2, :]}, {@code value = [..., -1, :]}. No code is shared with the production model.
 */
public final class ReferenceInternLM2 {
    final Checkpoint ck;
    final String prefix;
    final int vocab, hidden, inter, layers, heads, kvHeads, hd, maxPos;
    final double eps, theta;
    final boolean bias, tie;

    public ReferenceInternLM2(Checkpoint ck, String prefix, JsonNode c) {
        this.ck = ck;
        this.prefix = prefix;
        vocab = c.path("vocab_size").asInt(103168);
        hidden = c.path("hidden_size").asInt(4096);
        inter = c.path("intermediate_size").asInt(11008);
        layers = c.path("num_hidden_layers").asInt(32);
        heads = c.path("num_attention_heads").asInt(32);
        kvHeads = c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;
        hd = hidden / heads;
        maxPos = c.path("max_position_embeddings").asInt(2048);
        eps = c.path("rms_norm_eps").asDouble(1e-6);
        theta = c.path("rope_theta").asDouble(10000);
        bias = c.path("bias").asBoolean(true);
        tie = c.path("tie_word_embeddings").asBoolean(false);
    }

    double[] t(String name) {
        float[] f = ck.tensor(prefix + name).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** The embedding rows of ids: [T][hidden]. */
    public double[][] embed(int[] ids) {
        double[] table = t("model.tok_embeddings.weight");
        double[][] x = new double[ids.length][hidden];
        for (int i = 0; i < ids.length; i++) System.arraycopy(table, ids[i] * hidden, x[i], 0, hidden);
        return x;
    }

    /**
     * One token's wqkv output split as the reference's rearrange does: {@code [0]} = query heads [H][d] (head
     * h·g + j is group slot j of KV head h), {@code [1]} = keys [KV][d], {@code [2]} = values [KV][d].
     */
    public double[][][] split(double[] qkvRow) {
        int g = heads / kvHeads, gs = g + 2;
        // view (h gs d): element (h, s, e) is qkvRow[(h * gs + s) * hd + e]
        double[][] q = new double[heads][hd], k = new double[kvHeads][hd], v = new double[kvHeads][hd];
        for (int h = 0; h < kvHeads; h++) {
            for (int s = 0; s < g; s++) System.arraycopy(qkvRow, (h * gs + s) * hd, q[h * g + s], 0, hd);
            System.arraycopy(qkvRow, (h * gs + gs - 2) * hd, k[h], 0, hd);
            System.arraycopy(qkvRow, (h * gs + gs - 1) * hd, v[h], 0, hd);
        }
        return new double[][][] {q, k, v};
    }

    /** Logits [T][vocab] of a whole sequence from position 0. */
    public double[][] logits(double[][] emb) {
        int n = emb.length;
        float[] inv = invFreq(hd, theta, null);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = emb[i].clone();
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            double[] an = t(p + "attention_norm.weight"), fn = t(p + "ffn_norm.weight");
            double[][] a = new double[n][];
            for (int i = 0; i < n; i++) a[i] = rmsNorm(x[i], an, eps);
            double[][] qkv = linear(a, t(p + "attention.wqkv.weight"), bias ? t(p + "attention.wqkv.bias") : null, (heads + 2 * kvHeads) * hd);
            double[][] qs = new double[n][heads * hd], ks = new double[n][kvHeads * hd], vs = new double[n][kvHeads * hd];
            for (int i = 0; i < n; i++) {
                double[][][] parts = split(qkv[i]);
                for (int h = 0; h < heads; h++) System.arraycopy(parts[0][h], 0, qs[i], h * hd, hd);
                for (int h = 0; h < kvHeads; h++) {
                    System.arraycopy(parts[1][h], 0, ks[i], h * hd, hd);
                    System.arraycopy(parts[2][h], 0, vs[i], h * hd, hd);
                }
                rope(qs[i], heads, hd, i, inv, 1);
                rope(ks[i], kvHeads, hd, i, inv, 1);
            }
            double[][] att = attention(qs, ks, vs, heads, kvHeads, hd, true);
            double[][] o = linear(att, t(p + "attention.wo.weight"), bias ? t(p + "attention.wo.bias") : null, hidden);
            for (int i = 0; i < n; i++) for (int j = 0; j < hidden; j++) x[i][j] += o[i][j];
            for (int i = 0; i < n; i++) a[i] = rmsNorm(x[i], fn, eps);
            double[][] w1 = linear(a, t(p + "feed_forward.w1.weight"), null, inter);
            double[][] w3 = linear(a, t(p + "feed_forward.w3.weight"), null, inter);
            for (int i = 0; i < n; i++) for (int j = 0; j < inter; j++) w1[i][j] = silu(w1[i][j]) * w3[i][j];
            double[][] down = linear(w1, t(p + "feed_forward.w2.weight"), null, hidden);
            for (int i = 0; i < n; i++) for (int j = 0; j < hidden; j++) x[i][j] += down[i][j];
        }
        double[] fin = t("model.norm.weight");
        for (int i = 0; i < n; i++) x[i] = rmsNorm(x[i], fin, eps);
        boolean tied = tie || !ck.contains(prefix + "output.weight");
        return linear(x, t(tied ? "model.tok_embeddings.weight" : "output.weight"), null, vocab);
    }
}
