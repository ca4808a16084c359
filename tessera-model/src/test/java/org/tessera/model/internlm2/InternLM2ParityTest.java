package org.tessera.model.internlm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.model.Fixtures.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.RefMath;
import org.tessera.model.llm.LanguageModel;

/**
 * InternLM2 against {@link ReferenceInternLM2} (double precision, written from the remote code) on small random
 * checkpoints in the public layout, whose fused {@code wqkv} the test assembles from separately drawn q, k and v
 * ({@link LlmCheckpoint#groupedRows}).
 *
 * <p>Tolerance {@value #TOL} relative (max abs error / max abs value of the logits). The float32 model differs from
 * the double reference by rounding only: dot products of length ≤ 128 (≈ √k·2⁻²⁴ relative each for random signs),
 * softmax and norms, over two layers; measured ~1e-6 (printed). A real mistake (a query head taken from the wrong
 * group slot, k and v swapped, a missing bias, the wrong RoPE base) moves the logits by 1e-2 or more.
 */
class InternLM2ParityTest {
    static final double TOL = 2e-5;

    @TempDir
    Path tmp;

    static LlmCheckpoint.Spec spec(int heads, int kvHeads, boolean bias, long seed) {
        LlmCheckpoint.Spec s = new LlmCheckpoint.Spec().arch(LlmCheckpoint.INTERNLM2);
        s.hidden = 64;
        s.heads = heads;
        s.kvHeads = kvHeads;
        s.bias = bias;
        s.tie = false;
        s.writeHead = true;
        s.ropeTheta = 1_000_000;
        s.seed = seed;
        return s;
    }

    static double bf16(float f) {
        return Float.intBitsToFloat(WeightMatrix.floatToBf16(f) << 16);
    }

    /**
     * The reference's reading of the fused layout: splitting x·wqkvᵀ as its rearrange does gives, for query head
     * h·g + j, exactly x·Wq[head]ᵀ of the separately drawn Wq, and for KV head h, x·Wk[h]ᵀ and x·Wv[h]ᵀ.
     */
    @Test
    void referenceSplitsTheGroupedLayoutIntoTheRightHeads() {
        LlmCheckpoint.Spec s = spec(8, 2, true, 31);
        LlmCheckpoint.Written w = LlmCheckpoint.write(tmp.resolve("m"), s);
        try (LlmCheckpoint.Loaded m = LlmCheckpoint.load(tmp.resolve("m"), false)) {
            ReferenceInternLM2 ref = new ReferenceInternLM2(m.checkpoint(), LlmCheckpoint.PREFIX, json(s));
            int d = s.hidden, hd = d / s.heads;
            double[] x = new double[d];
            Random r = new Random(5);
            for (int i = 0; i < d; i++) x[i] = r.nextGaussian();
            double[] fusedW = ref.t("model.layers.0.attention.wqkv.weight"), fusedB = ref.t("model.layers.0.attention.wqkv.bias");
            double[][][] parts = ref.split(RefMath.linear(new double[][] {x}, fusedW, fusedB, fusedB.length)[0]);
            double maxErr = 0;
            for (int head = 0; head < s.heads; head++) maxErr = Math.max(maxErr, err(parts[0][head], x, w.parts().get("0.q"), w.parts().get("0.qBias"), head, hd));
            for (int head = 0; head < s.kvHeads; head++) {
                maxErr = Math.max(maxErr, err(parts[1][head], x, w.parts().get("0.k"), w.parts().get("0.kBias"), head, hd));
                maxErr = Math.max(maxErr, err(parts[2][head], x, w.parts().get("0.v"), w.parts().get("0.vBias"), head, hd));
            }
            assertTrue(maxErr < 1e-12, "fused split differs from the separate projections by " + maxErr);
        }
    }

    /** max |part − (x·W[head rows]ᵀ + b[head])| with W and b rounded to bf16 as stored. */
    private static double err(double[] part, double[] x, float[] w, float[] b, int head, int hd) {
        int d = x.length;
        double e = 0;
        for (int i = 0; i < hd; i++) {
            int row = head * hd + i;
            double s = bf16(b[row]);
            for (int c = 0; c < d; c++) s += bf16(w[row * d + c]) * x[c];
            e = Math.max(e, Math.abs(s - part[i]));
        }
        return e;
    }

    static JsonNode json(LlmCheckpoint.Spec s) {
        return LlmCheckpoint.config(s);
    }

    private void compare(String what, LlmCheckpoint.Spec s, int tokens) {
        Path dir = tmp.resolve(what.replaceAll("[^a-z0-9]", "_"));
        LlmCheckpoint.write(dir, s);
        try (LlmCheckpoint.Loaded m = LlmCheckpoint.load(dir, false)) {
            assertEquals(InternLM2Config.ARCHITECTURE, m.config().architecture());
            ReferenceInternLM2 ref = new ReferenceInternLM2(m.checkpoint(), LlmCheckpoint.PREFIX, json(s));
            int[] ids = new Random(s.seed).ints(tokens, 0, s.vocab).toArray();
            LanguageModel lm = m.model();
            float[] got = lm.forward(lm.embed(ids), ids.length, lm.newCache());
            assertClose(what + " logits", got, flat(ref.logits(ref.embed(ids))), TOL);
        }
    }

    @Test
    void gqaFourToOneWithBiases() {
        compare("internlm2 gqa 8:2 bias", spec(8, 2, true, 32), 23);
    }

    /** InternLM2-chat-1.8B's pattern: 2 query heads per KV head, no biases. */
    @Test
    void gqaTwoToOneWithoutBiases() {
        compare("internlm2 gqa 4:2", spec(4, 2, false, 33), 19);
    }

    @Test
    void multiHeadTiedHead() {
        LlmCheckpoint.Spec s = spec(4, 4, false, 34);
        s.tie = true;
        s.writeHead = false;
        compare("internlm2 mha tied", s, 11);
    }

    static double[] flat(double[][] a) {
        int n = 0;
        for (double[] r : a) n += r.length;
        double[] out = new double[n];
        int i = 0;
        for (double[] r : a) for (double v : r) out[i++] = v;
        return out;
    }
}
