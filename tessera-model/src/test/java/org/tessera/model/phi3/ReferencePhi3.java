package org.tessera.model.phi3;

import static org.tessera.model.RefMath.attention;
import static org.tessera.model.RefMath.invFreq;
import static org.tessera.model.RefMath.linear;
import static org.tessera.model.RefMath.rmsNorm;
import static org.tessera.model.RefMath.rope;
import static org.tessera.model.RefMath.silu;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.tessera.core.io.Checkpoint;

/**
 * A plain double-precision Phi-3 forward pass for tests, written from the remote-code {@code modeling_phi3.py}
 * (InternVL repository; the same as Phi-3-mini-128k-instruct's) and nothing else: hyper-parameters from the raw
 * {@code llm_config} JSON with {@code Phi3Config}'s defaults, weights by their checkpoint names.
 * <ul>
 *   <li>{@code qkv = qkv_proj(x)}; {@code query = qkv[..., :H·d]}, {@code key = qkv[..., H·d : H·d + KV·d]},
 *       {@code value = qkv[..., H·d + KV·d :]};</li>
 *   <li>{@code gate, up = gate_up_proj(x).chunk(2)}; {@code down_proj(up · silu(gate))};</li>
 *   <li>{@code Phi3SuScaledRotaryEmbedding}: per forward call, {@code seq_len = max(position_ids) + 1};
 *       long_factor if seq_len &gt; original_max_position_embeddings else short_factor;
 *       {@code inv_freq = 1 / (factor · base^(arange(0, d, 2) / d))} in float32; cos and sin times
 *       {@code sqrt(1 + ln(max/orig) / ln(orig))} (1 when max ≤ orig).</li>
 * </ul>
 * {@link #run} takes the sequence as the reference's forward calls would see it with its cache (a prompt, then one
 * call per generated token), so the cached keys keep the rotation of the call that made them, as there.
 */
public final class ReferencePhi3 {
    final Checkpoint ck;
    final String prefix;
    final int vocab, hidden, inter, layers, heads, kvHeads, hd, maxPos, origMaxPos;
    final double eps, theta;
    final boolean tie;
    final double[] shortFactor, longFactor; // null without rope_scaling

    public ReferencePhi3(Checkpoint ck, String prefix, JsonNode c) {
        this.ck = ck;
        this.prefix = prefix;
        vocab = c.path("vocab_size").asInt(32064);
        hidden = c.path("hidden_size").asInt(3072);
        inter = c.path("intermediate_size").asInt(8192);
        layers = c.path("num_hidden_layers").asInt(32);
        heads = c.path("num_attention_heads").asInt(32);
        kvHeads = c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;
        hd = hidden / heads;
        maxPos = c.path("max_position_embeddings").asInt(4096);
        origMaxPos = c.path("original_max_position_embeddings").asInt(4096);
        eps = c.path("rms_norm_eps").asDouble(1e-5);
        theta = c.path("rope_theta").asDouble(10000);
        tie = c.path("tie_word_embeddings").asBoolean(false);
        JsonNode rs = c.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            shortFactor = doubles(rs.get("short_factor"));
            longFactor = doubles(rs.get("long_factor"));
        } else {
            shortFactor = longFactor = null;
        }
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    double[] t(String name) {
        float[] f = ck.tensor(prefix + name).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** The embedding rows of ids: [T][hidden]. */
    public double[][] embed(int[] ids) {
        double[] table = t("model.embed_tokens.weight");
        double[][] x = new double[ids.length][hidden];
        for (int i = 0; i < ids.length; i++) System.arraycopy(table, ids[i] * hidden, x[i], 0, hidden);
        return x;
    }

    /** Logits [T][vocab] of a whole sequence in one forward call. */
    public double[][] logits(double[][] emb) {
        return run(emb, new int[] {emb.length});
    }

    /** True when a forward call ending the sequence at {@code length} positions uses the long factors. */
    public boolean usesLongFactors(int length) {
        return shortFactor != null && length > origMaxPos;
    }

    /**
     * Logits [T][vocab] of the sequence fed as consecutive forward calls of {@code calls[i]} tokens (summing to T),
     * each call's queries and keys rotated with the factors its own last position selects.
     */
    public double[][] run(double[][] emb, int[] calls) {
        int n = emb.length;
        double scale = 1.0;
        double s = (double) maxPos / origMaxPos;
        if (shortFactor != null && s > 1) scale = Math.sqrt(1 + Math.log(s) / Math.log(origMaxPos));
        List<List<double[]>> keys = new ArrayList<>(), values = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
        double[][] out = new double[n][];
        int pos0 = 0;
        for (int m : calls) {
            double[][] x = new double[m][];
            for (int i = 0; i < m; i++) x[i] = emb[pos0 + i].clone();
            int seqLen = pos0 + m; // max(position_ids) + 1
            double[] factor = shortFactor == null ? null : seqLen > origMaxPos ? longFactor : shortFactor;
            float[] inv = invFreq(hd, theta, factor);
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                double[][] a = new double[m][];
                double[] inNorm = t(p + "input_layernorm.weight"), postNorm = t(p + "post_attention_layernorm.weight");
                for (int i = 0; i < m; i++) a[i] = rmsNorm(x[i], inNorm, eps);
                int qPos = heads * hd, kvw = kvHeads * hd;
                double[][] qkv = linear(a, t(p + "self_attn.qkv_proj.weight"), null, qPos + 2 * kvw);
                double[][] qs = new double[m][];
                for (int i = 0; i < m; i++) {
                    qs[i] = java.util.Arrays.copyOfRange(qkv[i], 0, qPos);
                    double[] k = java.util.Arrays.copyOfRange(qkv[i], qPos, qPos + kvw);
                    double[] v = java.util.Arrays.copyOfRange(qkv[i], qPos + kvw, qPos + 2 * kvw);
                    rope(qs[i], heads, hd, pos0 + i, inv, scale);
                    rope(k, kvHeads, hd, pos0 + i, inv, scale);
                    keys.get(l).add(k);
                    values.get(l).add(v);
                }
                double[][] att = attention(qs, keys.get(l).toArray(double[][]::new), values.get(l).toArray(double[][]::new),
                        heads, kvHeads, hd, pos0);
                double[][] o = linear(att, t(p + "self_attn.o_proj.weight"), null, hidden);
                for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) x[i][j] += o[i][j];
                for (int i = 0; i < m; i++) a[i] = rmsNorm(x[i], postNorm, eps);
                double[][] gu = linear(a, t(p + "mlp.gate_up_proj.weight"), null, 2 * inter);
                double[][] act = new double[m][inter];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < inter; j++) act[i][j] = gu[i][inter + j] * silu(gu[i][j]); // chunk(2): gate first
                }
                double[][] down = linear(act, t(p + "mlp.down_proj.weight"), null, hidden);
                for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) x[i][j] += down[i][j];
            }
            double[] fin = t("model.norm.weight");
            for (int i = 0; i < m; i++) x[i] = rmsNorm(x[i], fin, eps);
            boolean tied = tie || !ck.contains(prefix + "lm_head.weight");
            double[][] logits = linear(x, t(tied ? "model.embed_tokens.weight" : "lm_head.weight"), null, vocab);
            System.arraycopy(logits, 0, out, pos0, m);
            pos0 += m;
        }
        if (pos0 != n) throw new AssertionError("calls cover " + pos0 + " of " + n + " positions");
        return out;
    }
}
