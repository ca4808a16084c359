package org.tessera.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.tessera.core.kernels.Attention;
import org.tessera.core.kernels.Rope;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.train.GradCheck;
import org.tessera.train.Parameter;
import org.tessera.train.Ref;
import org.tessera.train.kernels.AttentionBackward;

/**
 * Every layer's float32 backward against central finite differences of a float64 reference forward. The objective is
 * {@code Σ dy ∘ f(x)} for a fixed random dy, so its gradient is exactly what backward(dy) returns. Tolerance: 1e-4
 * of each tensor's gradient scale (float32 backward vs a ~1e-9-exact float64 difference quotient).
 */
class LayerGradientTest {
    static final double TOL = 1e-4;
    final Random rnd = new Random(7);

    @AfterAll
    static void report() {
        GradCheck.LOG.forEach(System.out::println);
    }

    float[] randn(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    Parameter param(String name, float[] v, boolean matrix, long... shape) {
        return Parameter.ofValues(name, shape, matrix, v.clone(), null).trainable(true);
    }

    static double[] d(float[] f) { return Ref.toDouble(f); }

    void check(String name, double[] p, float[] analytic, DoubleSupplier f) {
        GradCheck.check(name, p, analytic, f, 30, name.hashCode(), TOL);
    }

    @Test
    void erfReference() {
        assertEquals(0.5204998778130465, Ref.erf(0.5), 1e-15);
        assertEquals(-0.9953222650189527, Ref.erf(-2.0), 1e-15);
        assertEquals(0.9999992569016276, Ref.erf(3.5), 1e-15);
    }

    @Test
    void linearWithBias() {
        int m = 5, in = 11, out = 9;
        Parameter w = param("w", randn(out * in, 0.3), true, out, in), b = param("b", randn(out, 0.1), false, out);
        float[] x = randn(m * in, 1), dy = randn(m * out, 1);
        Linear l = new Linear(w, b);
        l.forward(x, m);
        float[] dx = l.backward(dy, true);
        double[] xd = d(x), wd = d(w.values()), bd = d(b.values()), dyd = d(dy);
        DoubleSupplier f = () -> Ref.dot(dyd, Ref.linear(xd, m, wd, out, in, bd));
        check("Linear dx", xd, dx, f);
        check("Linear dW", wd, w.grad(), f);
        check("Linear db", bd, b.grad(), f);
    }

    @Test
    void loraAndPartialLora() {
        for (boolean partial : new boolean[] {false, true}) {
            int m = 6, in = 10, out = 7, r = 3;
            Parameter w = Parameter.ofValues("w", new long[] {out, in}, true, randn(out * in, 0.3), null); // frozen base
            Parameter a = param("A", randn(r * in, 0.3), true, r, in), b = param("B", randn(out * r, 0.3), true, out, r);
            Linear l = new Linear(w, null);
            l.lora(new Lora(a, b, 2f * r, partial));
            boolean[] mask = {true, false, false, true, true, false};
            float[] x = randn(m * in, 1), dy = randn(m * out, 1);
            l.forward(x, m, mask);
            float[] dx = l.backward(dy, true);
            double[] xd = d(x), wd = d(w.values()), ad = d(a.values()), bd = d(b.values()), dyd = d(dy);
            DoubleSupplier f = () -> {
                double[] y = Ref.linear(xd, m, wd, out, in, null);
                double[] t = Ref.linear(xd, m, ad, r, in, null);
                double[] u = Ref.linear(t, m, bd, out, r, null);
                for (int i = 0; i < m; i++) {
                    if (partial && !mask[i]) continue;
                    for (int j = 0; j < out; j++) y[i * out + j] += 2.0 * u[i * out + j];
                }
                return Ref.dot(dyd, y);
            };
            String tag = partial ? "Partial LoRA " : "LoRA ";
            check(tag + "dx", xd, dx, f);
            check(tag + "dA", ad, a.grad(), f);
            check(tag + "dB", bd, b.grad(), f);
        }
    }

    @Test
    void layerNorm() {
        int m = 4, dim = 13;
        Parameter g = param("g", randn(dim, 0.5), false, dim), b = param("b", randn(dim, 0.5), false, dim);
        float[] x = randn(m * dim, 2);
        for (int i = 0; i < x.length; i++) x[i] += 3; // a mean far from zero, as in ViT residual streams
        float[] dy = randn(m * dim, 1);
        LayerNorm n = new LayerNorm(g, b, 1e-6f);
        n.forward(x, m);
        float[] dx = n.backward(dy);
        double[] xd = d(x), gd = d(g.values()), bd = d(b.values()), dyd = d(dy);
        DoubleSupplier f = () -> Ref.dot(dyd, Ref.layerNorm(xd, m, dim, gd, bd, 1e-6));
        check("LayerNorm dx", xd, dx, f);
        check("LayerNorm dγ", gd, g.grad(), f);
        check("LayerNorm dβ", bd, b.grad(), f);
    }

    @Test
    void rmsNorm() {
        int m = 5, dim = 12;
        Parameter w = param("w", randn(dim, 0.5), false, dim);
        float[] x = randn(m * dim, 1.5), dy = randn(m * dim, 1);
        RmsNorm n = new RmsNorm(w, 1e-6f);
        n.forward(x, m);
        float[] dx = n.backward(dy);
        double[] xd = d(x), wd = d(w.values()), dyd = d(dy);
        DoubleSupplier f = () -> Ref.dot(dyd, Ref.rmsNorm(xd, m, dim, wd, 1e-6));
        check("RMSNorm dx", xd, dx, f);
        check("RMSNorm dw", wd, w.grad(), f);
    }

    @Test
    void geluAndSwiGlu() {
        float[] x = randn(40, 2), dy = randn(40, 1);
        Gelu g = new Gelu();
        g.forward(x);
        float[] dx = g.backward(dy);
        double[] xd = d(x), dyd = d(dy);
        check("GELU dx", xd, dx, () -> Ref.dot(dyd, Ref.map(xd, Ref::gelu)));

        float[] gate = randn(40, 2), up = randn(40, 1);
        SwiGlu s = new SwiGlu();
        s.forward(gate, up);
        float[][] dgu = s.backward(dy);
        double[] gd = d(gate), ud = d(up);
        DoubleSupplier f = () -> {
            double sum = 0;
            for (int i = 0; i < 40; i++) sum += dyd[i] * Ref.silu(gd[i]) * ud[i];
            return sum;
        };
        check("SwiGLU dgate", gd, dgu[0], f);
        check("SwiGLU dup", ud, dgu[1], f);
    }

    @Test
    void layerScale() {
        int m = 3, c = 8;
        Parameter ls = param("ls", randn(c, 0.5), false, c);
        float[] h = randn(m * c, 1), a = randn(m * c, 1), dy = randn(m * c, 1);
        LayerScale l = new LayerScale(ls);
        l.forward(h, a, m);
        float[] da = l.backward(dy);
        double[] hd = d(h), ad = d(a), lsd = d(ls.values()), dyd = d(dy);
        DoubleSupplier f = () -> Ref.dot(dyd, Ref.addScaled(hd, ad, lsd));
        check("LayerScale da", ad, da, f);
        check("LayerScale dls", lsd, ls.grad(), f);
        check("LayerScale dh", hd, dy, f); // the residual passes dy through
    }

    @Test
    void patchEmbedding() {
        int tiles = 2, ch = 3, p = 2, size = 4, g = 2, c = 5, k = ch * p * p, seq = 1 + g * g;
        Parameter cls = param("cls", randn(c, 0.5), false, 1, 1, c), w = param("w", randn(c * k, 0.3), true, c, ch, p, p);
        Parameter b = param("b", randn(c, 0.1), false, c), pos = param("pos", randn(seq * c, 0.5), false, 1, seq, c);
        PatchEmbedding pe = new PatchEmbedding(cls, w, b, pos, ch, p);
        float[] px = randn(tiles * ch * size * size, 1), dy = randn(tiles * seq * c, 1);
        pe.forward(px, tiles, size);
        pe.backward(dy);
        double[] pxd = d(px), clsd = d(cls.values()), wd = d(w.values()), bd = d(b.values()), posd = d(pos.values()), dyd = d(dy);
        DoubleSupplier f = () -> {
            double[] h = new double[tiles * seq * c];
            for (int t = 0; t < tiles; t++) {
                for (int e = 0; e < c; e++) h[t * seq * c + e] = clsd[e] + posd[e];
                for (int py = 0; py < g; py++) for (int qx = 0; qx < g; qx++) for (int e = 0; e < c; e++) {
                    double s = bd[e];
                    for (int cc = 0; cc < ch; cc++) for (int ky = 0; ky < p; ky++) for (int kx = 0; kx < p; kx++) {
                        s += wd[e * k + (cc * p + ky) * p + kx] * pxd[t * ch * size * size + cc * size * size + (py * p + ky) * size + qx * p + kx];
                    }
                    int tok = 1 + py * g + qx;
                    h[(t * seq + tok) * c + e] = s + posd[tok * c + e];
                }
            }
            return Ref.dot(dyd, h);
        };
        check("PatchEmbedding dcls", clsd, cls.grad(), f);
        check("PatchEmbedding dW (conv)", wd, w.grad(), f);
        check("PatchEmbedding db", bd, b.grad(), f);
        check("PatchEmbedding dpos", posd, pos.grad(), f);
    }

    @Test
    void pixelShuffle() {
        for (InternVLConfig.PixelShuffle v : InternVLConfig.PixelShuffle.values()) {
            int tiles = 2, g = 4, c = 3, f = 2;
            PixelShuffle ps = new PixelShuffle(g, c, f, v);
            float[] x = randn(tiles * (1 + g * g) * c, 1);
            float[] y = ps.forward(x, tiles);
            float[] dy = randn(y.length, 1);
            float[] dx = ps.backward(dy, tiles);
            double[] xd = d(x), dyd = d(dy);
            check("PixelShuffle " + v + " dx", xd, dx, () -> Ref.dot(dyd, Ref.pixelShuffle(xd, tiles, g, c, f, v == InternVLConfig.PixelShuffle.V2)));
        }
    }

    @Test
    void bidirectionalAttentionFusedQkv() {
        // ViT layout: fused [rows, 3C] rows per tile, 2 tiles of 9 tokens, 2 heads of 8.
        int tiles = 2, seq = 9, heads = 2, hd = 8, c = heads * hd, c3 = 3 * c, rows = tiles * seq;
        float[] qkv = randn(rows * c3, 1), dO = randn(rows * c, 1);
        float scale = (float) (1 / Math.sqrt(hd));
        float[] out = new float[rows * c], qt = new float[seq * c], ot = new float[seq * c];
        for (int t = 0; t < tiles; t++) {
            for (int i = 0; i < seq; i++) System.arraycopy(qkv, (t * seq + i) * c3, qt, i * c, c);
            Attention.attention(qt, qkv, t * seq * c3 + c, c3, hd, qkv, t * seq * c3 + 2 * c, c3, hd, ot, seq, seq, heads, heads, hd, scale, false, 0);
            System.arraycopy(ot, 0, out, t * seq * c, seq * c);
        }
        float[] dqkv = new float[rows * c3];
        int[] segs = {0, seq, 2 * seq};
        AttentionBackward.backward(qkv, 0, c3, qkv, c, c3, qkv, 2 * c, c3, dO, 0, c, dqkv, dqkv, dqkv, segs, heads, heads, hd, scale, false);
        double[] qd = d(qkv), dOd = d(dO);
        DoubleSupplier f = () -> Ref.dot(dOd, Ref.attention(qd, 0, c3, qd, c, c3, qd, 2 * c, c3, segs, heads, heads, hd, false));
        double[] fwd = Ref.attention(qd, 0, c3, qd, c, c3, qd, 2 * c, c3, segs, heads, heads, hd, false);
        for (int i = 0; i < fwd.length; i++) assertEquals(fwd[i], out[i], 1e-5);
        check("Attention bidirectional dqkv (fused)", qd, dqkv, f);
    }

    @Test
    void causalGqaAttentionWithRope() {
        // Two packed sequences (5 and 7 tokens), 4 query heads over 2 kv heads, head dim 8, RoPE restarting per sequence.
        int heads = 4, kvh = 2, hd = 8, qd = heads * hd, kv = kvh * hd;
        int[] segs = {0, 5, 12};
        int rows = 12;
        Rope tables = new Rope(hd, 10000.0, 64);
        RotaryEmbedding rope = new RotaryEmbedding(hd, 10000.0, 64);
        float[] q0 = randn(rows * qd, 1), k0 = randn(rows * kv, 1), v = randn(rows * kv, 1), dO = randn(rows * qd, 1);
        float[] q = q0.clone(), k = k0.clone();
        rope.forward(q, heads, segs);
        rope.forward(k, kvh, segs);
        float[] dq = new float[rows * qd], dk = new float[rows * kv], dv = new float[rows * kv];
        float scale = (float) (1 / Math.sqrt(hd));
        AttentionBackward.backward(q, 0, qd, k, 0, kv, v, 0, kv, dO, 0, qd, dq, dk, dv, segs, heads, kvh, hd, scale, true);
        rope.backward(dq, heads, segs);
        rope.backward(dk, kvh, segs);
        // The forward kernel on the second sequence agrees with the reference.
        double[] qd0 = d(q0), kd0 = d(k0), vd = d(v), dOd = d(dO);
        DoubleSupplier f = () -> {
            double[] qr = qd0.clone(), kr = kd0.clone();
            Ref.rope(qr, heads, hd, segs, tables);
            Ref.rope(kr, kvh, hd, segs, tables);
            return Ref.dot(dOd, Ref.attention(qr, 0, qd, kr, 0, kv, vd, 0, kv, segs, heads, kvh, hd, true));
        };
        float[] qs = java.util.Arrays.copyOfRange(q, 5 * qd, 12 * qd), os = new float[7 * qd];
        Attention.attention(qs, k, 5 * kv, kv, hd, v, 5 * kv, kv, hd, os, 7, 7, heads, kvh, hd, scale, true, 0);
        double[] qr = qd0.clone(), kr = kd0.clone();
        Ref.rope(qr, heads, hd, segs, tables);
        Ref.rope(kr, kvh, hd, segs, tables);
        double[] ref = Ref.attention(qr, 0, qd, kr, 0, kv, vd, 0, kv, segs, heads, kvh, hd, true);
        for (int i = 0; i < os.length; i++) assertEquals(ref[5 * qd + i], os[i], 1e-5);
        check("Attention causal GQA + RoPE dq", qd0, dq, f);
        check("Attention causal GQA + RoPE dk", kd0, dk, f);
        check("Attention causal GQA dv", vd, dv, f);
    }

    @Test
    void embeddingSkipsImageRows() {
        int vocab = 10, dim = 4;
        Parameter table = param("E", randn(vocab * dim, 1), true, vocab, dim);
        Embedding e = new Embedding(table);
        int[] ids = {3, 9, 3, 0, 7};
        boolean[] skip = {false, true, false, false, true};
        e.forward(ids, skip);
        float[] dx = randn(ids.length * dim, 1);
        e.backward(dx);
        double[] td = d(table.values()), dxd = d(dx);
        check("Embedding dE (image rows masked)", td, table.grad(), () -> {
            double s = 0;
            for (int t = 0; t < ids.length; t++) {
                if (skip[t]) continue;
                for (int j = 0; j < dim; j++) s += dxd[t * dim + j] * td[ids[t] * dim + j];
            }
            return s;
        });
    }

    @Test
    void crossEntropy() {
        int rows = 4, vocab = 11;
        float[] z = randn(rows * vocab, 2);
        int[] y = {3, 0, 10, 3};
        double[] zd = d(z);
        float[] g = z.clone();
        double loss = CrossEntropy.lossAndGrad(g, rows, vocab, y, 0.5f, true);
        assertEquals(Ref.crossEntropy(zd, rows, vocab, y), loss, 1e-5);
        check("CrossEntropy dlogits (scaled 0.5)", zd, g, () -> 0.5 * Ref.crossEntropy(zd, rows, vocab, y));
    }

    @Test
    void frozenBf16LinearPassesGradientThrough() {
        // A frozen matrix kept in bf16: dx must use the same (rounded) weights the forward used.
        int m = 3, in = 9, out = 5;
        Parameter w = Parameter.ofValues("w", new long[] {out, in}, true, randn(out * in, 0.3), null);
        w.storeFrozenAsBf16();
        assertEquals(org.tessera.core.kernels.WeightMatrix.Format.BF16, w.format());
        Linear l = new Linear(w, null);
        float[] x = randn(m * in, 1), dy = randn(m * out, 1);
        l.forward(x, m);
        float[] dx = l.backward(dy, true);
        double[] xd = d(x), wd = d(w.toFloats()), dyd = d(dy);
        check("Linear (frozen bf16 W) dx", xd, dx, () -> Ref.dot(dyd, Ref.linear(xd, m, wd, out, in, null)));
    }
}
