package org.tessera.train.model;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.Attention;
import org.tessera.model.RowOps;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.train.Init;
import org.tessera.train.Parameter;
import org.tessera.train.ParameterStore;
import org.tessera.train.kernels.AttentionBackward;
import org.tessera.train.kernels.Products;
import org.tessera.train.nn.Linear;
import org.tessera.train.nn.RmsNorm;
import org.tessera.train.nn.RotaryEmbedding;
import org.tessera.train.nn.SwiGlu;

/**
 * One Qwen2 decoder layer with its backward pass (the runtime's {@code Qwen2Model.layers}, step for step):
 * <pre>
 *   q, k, v = Wq·rms(x) + bq, Wk·rms(x) + bk, Wv·rms(x) + bv;  rotate q, k (RoPE)
 *   x = x + o_proj(causal GQA attention(q, k, v))              per sequence of the packed batch
 *   x = x + down(silu(gate(rms(x))) · up(rms(x)))
 * </pre>
 */
final class DecoderLayer {
    private final Qwen2Config cfg;
    private final RotaryEmbedding rope;
    final RmsNorm inputNorm;
    final RmsNorm postNorm;
    final Linear q;
    final Linear k;
    final Linear v;
    final Linear o;
    final Linear gate;
    final Linear up;
    final Linear down;
    private final SwiGlu swiglu = new SwiGlu();
    private final List<Parameter> params = new ArrayList<>();

    private float[] qr;
    private float[] kr;
    private float[] vv;
    private int rows;
    private int[] segments;
    private boolean[] mask;

    DecoderLayer(ParameterStore s, String prefix, Qwen2Config cfg, RotaryEmbedding rope) {
        this.cfg = cfg;
        this.rope = rope;
        int d = cfg.hiddenSize(), inter = cfg.intermediateSize(), qd = cfg.qDim(), kv = cfg.kvDim();
        Init w = Init.normal(0.02);
        inputNorm = new RmsNorm(param(s.vector(prefix + "input_layernorm.weight", new long[] {d}, Init.ones())), (float) cfg.rmsNormEps());
        q = new Linear(param(s.matrix(prefix + "self_attn.q_proj.weight", new long[] {qd, d}, w)),
                param(s.vector(prefix + "self_attn.q_proj.bias", new long[] {qd}, Init.zeros())));
        k = new Linear(param(s.matrix(prefix + "self_attn.k_proj.weight", new long[] {kv, d}, w)),
                param(s.vector(prefix + "self_attn.k_proj.bias", new long[] {kv}, Init.zeros())));
        v = new Linear(param(s.matrix(prefix + "self_attn.v_proj.weight", new long[] {kv, d}, w)),
                param(s.vector(prefix + "self_attn.v_proj.bias", new long[] {kv}, Init.zeros())));
        o = new Linear(param(s.matrix(prefix + "self_attn.o_proj.weight", new long[] {d, qd}, w)), null);
        postNorm = new RmsNorm(param(s.vector(prefix + "post_attention_layernorm.weight", new long[] {d}, Init.ones())), (float) cfg.rmsNormEps());
        gate = new Linear(param(s.matrix(prefix + "mlp.gate_proj.weight", new long[] {inter, d}, w)), null);
        up = new Linear(param(s.matrix(prefix + "mlp.up_proj.weight", new long[] {inter, d}, w)), null);
        down = new Linear(param(s.matrix(prefix + "mlp.down_proj.weight", new long[] {d, inter}, w)), null);
    }

    private Parameter param(Parameter p) {
        params.add(p);
        return p;
    }

    /** The layer's own tensors (not its adapters). */
    List<Parameter> parameters() { return params; }

    /** The projections LoRA targets, by their module names. */
    List<Linear> linears() { return List.of(q, k, v, o, gate, up, down); }

    static List<String> linearNames() {
        return List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");
    }

    boolean trainable() {
        for (Parameter p : params) if (p.trainable()) return true;
        for (Linear l : linears()) if (l.lora() != null && l.lora().trainable()) return true;
        return false;
    }

    /**
     * @param x        {@code [rows, hidden]}
     * @param segments sequence starts of the packed batch, then rows
     * @param mask     image-token rows (for partial LoRA), or null
     */
    float[] forward(float[] x, int rows, int[] segments, boolean[] mask) {
        this.rows = rows;
        this.segments = segments;
        this.mask = mask;
        int d = cfg.hiddenSize();
        float[] xn = inputNorm.forward(x, rows);
        qr = q.forward(xn, rows, mask);
        kr = k.forward(xn, rows, mask);
        vv = v.forward(xn, rows, mask);
        rope.forward(qr, cfg.numHeads(), segments);
        rope.forward(kr, cfg.numKvHeads(), segments);
        float[] att = attention();
        float[] x1 = x.clone();
        RowOps.add(x1, 0, o.forward(att, rows, mask), 0, rows * d);
        float[] xn2 = postNorm.forward(x1, rows);
        float[] h = swiglu.forward(gate.forward(xn2, rows, mask), up.forward(xn2, rows, mask));
        float[] x2 = x1.clone(); // x1 stays as postNorm's saved input
        RowOps.add(x2, 0, down.forward(h, rows, mask), 0, rows * d);
        return x2;
    }

    private float[] attention() {
        int qd = cfg.qDim(), kv = cfg.kvDim(), hd = cfg.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] att = new float[rows * qd];
        for (int s = 0; s + 1 < segments.length; s++) {
            int s0 = segments[s], m = segments[s + 1] - s0;
            if (m == 0) continue;
            boolean whole = s0 == 0 && m == rows;
            float[] qs = whole ? qr : java.util.Arrays.copyOfRange(qr, s0 * qd, (s0 + m) * qd);
            float[] os = whole ? att : new float[m * qd];
            Attention.attention(qs, kr, s0 * kv, kv, hd, vv, s0 * kv, kv, hd, os, m, m, cfg.numHeads(), cfg.numKvHeads(), hd, scale, true, 0);
            if (!whole) System.arraycopy(os, 0, att, s0 * qd, m * qd);
        }
        return att;
    }

    /** Accumulates the parameter gradients for {@code dOut}; returns the input gradient when {@code needDx}. */
    float[] backward(float[] dOut, boolean needDx) {
        int d = cfg.hiddenSize(), qd = cfg.qDim(), kv = cfg.kvDim(), hd = cfg.headDim();
        float[][] dgu = swiglu.backward(down.backward(dOut, true));
        float[] dxn2 = gate.backward(dgu[0], true);
        Products.add(dxn2, 0, up.backward(dgu[1], true), 0, rows * d);
        float[] dx1 = dOut.clone();
        Products.add(dx1, 0, postNorm.backward(dxn2), 0, rows * d);
        float[] datt = o.backward(dx1, true);
        float[] dq = new float[rows * qd], dk = new float[rows * kv], dv = new float[rows * kv];
        AttentionBackward.backward(qr, 0, qd, kr, 0, kv, vv, 0, kv, datt, 0, qd, dq, dk, dv, segments,
                cfg.numHeads(), cfg.numKvHeads(), hd, (float) (1.0 / Math.sqrt(hd)), true);
        rope.backward(dq, cfg.numHeads(), segments);
        rope.backward(dk, cfg.numKvHeads(), segments);
        float[] dxn = q.backward(dq, true);
        Products.add(dxn, 0, k.backward(dk, true), 0, rows * d);
        Products.add(dxn, 0, v.backward(dv, true), 0, rows * d);
        float[] dn = inputNorm.backward(dxn);
        if (!needDx) return null;
        Products.add(dx1, 0, dn, 0, rows * d);
        return dx1;
    }

    void clear() {
        qr = kr = vv = null;
        mask = null;
        inputNorm.clear();
        postNorm.clear();
        for (Linear l : linears()) l.clear();
        swiglu.clear();
    }
}
