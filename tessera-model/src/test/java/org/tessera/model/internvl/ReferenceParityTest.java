package org.tessera.model.internvl;

import static org.tessera.model.Fixtures.assertClose;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.io.Npy;
import org.tessera.model.Fixtures;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.ReferenceInternVL;
import org.tessera.model.TinyCheckpoint;

/**
 * The optimised model against {@link ReferenceInternVL} (double precision, straight loops) on random checkpoints for
 * the variants the golden checkpoint does not cover, and the reference itself against the golden outputs.
 *
 * <p>Tolerance {@value #TOL} relative (max abs error / max abs value). What the float32 model can legitimately
 * differ by: every output is a chain of dot products of length k ≤ 588 (the patch embedding; ≤ 192 elsewhere),
 * each with error ≤ γ_k·Σ|a||w| ≈ k·2⁻²⁴·Σ|a||w| in the worst case and ≈ √k·2⁻²⁴ relative in practice for
 * random-sign data (~1e-6 here), plus the kernels' exp/GELU (a few ulp) and norms; a few such stages in sequence,
 * each roughly norm-preserving, stay near 1e-6, which is what the tests measure (printed). 2e-5 leaves a margin of
 * more than 10× over that yet is far below what any real mistake costs (a wrong eps, transpose, token order or
 * missing bias moves the outputs by 1e-3 to 1).
 */
class ReferenceParityTest {
    static final double TOL = 2e-5;

    @TempDir
    Path tmp;

    /** Checks the checker: the reference reproduces the independent golden outputs to float32 accuracy. */
    @Test
    void referenceMatchesGolden() {
        ReferenceInternVL ref = new ReferenceInternVL(Fixtures.goldenDir());
        try {
            Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
            int tiles = pv.shape()[0];
            double[][][] vit = ref.vit(pv.data(), tiles, 56, ref.config().featureLayer());
            double[][] img = ref.project(vit);
            double[][] logits = ref.llm(ref.embed(Fixtures.goldenIds(), img, 299));
            assertClose("reference vs golden vit_last_hidden", Fixtures.goldenFloats("vit_last_hidden.npy").data(), flat(vit), 1e-5);
            assertClose("reference vs golden image_embeds", Fixtures.goldenFloats("image_embeds.npy").data(), flat(img), 1e-5);
            assertClose("reference vs golden logits", Fixtures.goldenFloats("logits.npy").data(), flat(logits), 1e-5);
        } finally {
            ref.close();
        }
    }

    /** InternViT-6B form (RMSNorm, full-width q/k RMSNorm, no qkv bias), ps v1, select_layer −2, untied head. */
    @Test
    void vit6bPixelShuffleV1SelectLayerUntiedHead() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.normType = "rms_norm";
        s.qkvBias = false;
        s.qkNorm = true;
        s.psVersion = "v1";
        s.selectLayer = -2;
        s.tie = false;
        s.writeLmHead = true;
        s.seed = 11;
        compare("6b/v1/select-2/untied", TinyCheckpoint.write(tmp.resolve("a"), s), 2);
    }

    /** InternViT-300M form with a positive select_layer (hidden_states[1]) and an untied head, ps v2. */
    @Test
    void vit300mPositiveSelectLayerUntied() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.selectLayer = 1;
        s.tie = false;
        s.writeLmHead = true;
        s.llmKvHeads = 1; // GQA 4:1
        s.seed = 12;
        compare("300m/v2/select1/untied/gqa4", TinyCheckpoint.write(tmp.resolve("b"), s), 3);
    }

    /** InternVL2-2B's shape: InternViT-300M form, ps v2, an InternLM2 language model (grouped wqkv, GQA 2:1, untied output). */
    @Test
    void internLM2LanguageModel() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.llmArch = LlmCheckpoint.INTERNLM2;
        s.tie = false;
        s.writeLmHead = true;
        s.ropeTheta = 1_000_000;
        s.seed = 15;
        compare("internvl + internlm2", TinyCheckpoint.write(tmp.resolve("e"), s), 2);
    }

    /**
     * InternVL2-4B's shape: a Phi-3 language model (fused qkv and gate_up, LongRoPE). With 2 tiles of 4 image tokens and
     * 11 text tokens the prompt (19) passes original_max_position_embeddings 16, so the long factors apply.
     */
    @Test
    void phi3LanguageModel() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.llmArch = LlmCheckpoint.PHI3;
        s.llmKvHeads = 4;
        s.tie = false;
        s.writeLmHead = true;
        s.originalMaxPositions = 16;
        s.maxPositions = 256;
        s.shortFactor = new double[] {1.0, 1.05, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0};
        s.longFactor = new double[] {1.0, 1.5, 2.2, 3.0, 4.5, 6.5, 9.0, 13.0};
        s.seed = 16;
        compare("internvl + phi3 (long factors)", TinyCheckpoint.write(tmp.resolve("f"), s), 2);
    }

    /** A config that omits norm_type, qk_normalization, qkv_bias, ps_version and select_layer runs as the 6B defaults. */
    @Test
    void omittedKeysTakeOriginalDefaults() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.writeVisionKinds = false;
        s.normType = null;
        s.qkvBias = null;
        s.qkNorm = null;
        s.psVersion = null;
        s.selectLayer = null;
        s.seed = 13;
        compare("defaults (6b, v1, -1)", TinyCheckpoint.write(tmp.resolve("c"), s), 1);
    }

    /** Tiles of other sizes than the trained one: position embeddings resampled by torch-style bicubic. */
    @Test
    void otherTileSizesInterpolatePositions() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.seed = 14;
        Path dir = TinyCheckpoint.write(tmp.resolve("d"), s);
        ReferenceInternVL ref = new ReferenceInternVL(dir);
        try (InternVLModel model = InternVLModel.load(dir)) {
            for (int size : new int[] {84, 28, 112}) {
                float[] px = TinyCheckpoint.pixels(size, 2, size);
                float[] got = model.vision().forward(px, 2, size);
                double[][][] want = ref.vit(px, 2, size, s.visionLayers);
                assertClose("vit at " + size + " px (trained 56)", got, flat(want), TOL);
            }
        } finally {
            ref.close();
        }
    }

    private static void compare(String what, Path dir, int tiles) {
        ReferenceInternVL ref = new ReferenceInternVL(dir);
        try (InternVLModel model = InternVLModel.load(dir)) {
            InternVLConfig c = model.config();
            float[] px = TinyCheckpoint.pixels(7, tiles, c.imageSize());
            int[] ids = TinyCheckpoint.prompt(8, 5, tiles * c.tokensPerTile(), 6, c.llm().vocabSize(), model.imgContextTokenId());
            InternVLModel.Output out = model.forward(px, tiles, ids);
            double[][][] vit = ref.vit(px, tiles, c.imageSize(), c.featureLayer());
            double[][] img = ref.project(vit);
            double[][] logits = ref.llm(ref.embed(ids, img, model.imgContextTokenId()));
            assertClose(what + " vision features", out.visionFeatures(), flat(vit), TOL);
            assertClose(what + " image_embeds", out.imageEmbeds(), flat(img), TOL);
            assertClose(what + " logits", out.logits(), flat(logits), TOL);
        } finally {
            ref.close();
        }
    }

    static double[] flat(double[][][] a) {
        int n = 0;
        for (double[][] b : a) for (double[] c : b) n += c.length;
        double[] out = new double[n];
        int i = 0;
        for (double[][] b : a) for (double[] c : b) for (double v : c) out[i++] = v;
        return out;
    }

    static double[] flat(double[][] a) {
        return flat(new double[][][] {a});
    }
}
