package org.tessera.model.internvl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tessera.core.io.Npy;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.Fixtures;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.llm.DecoderModel;
import org.tessera.model.llm.DecoderWeights;
import org.tessera.model.llm.QkvProjection;

/**
 * The int8 (Q8_0) choice at load time: the language model's matrices really are quantised, the vision side and the
 * embedding table are not, and the logits stay close to the golden ones. Q8_0 rounds each weight to within
 * max|w|/254 of its block: about 0.5% relative per product on Gaussian weights with k in the hundreds (measured in
 * QuantizationTest). This tiny model has k = 48 to 96, so little averaging, and the errors of two layers and the
 * projections compound: the logits move by 2.4% of their largest value (measured). 5e-2 bounds that with room,
 * while a wrong scale or block layout gives errors of order 1.
 */
class Int8LoadTest {
    @Test
    void quantisedLanguageModelStaysCloseToGolden() {
        Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
        double[] golden = toDouble(Fixtures.goldenFloats("logits.npy").data());
        try (InternVLModel q = InternVLModel.load(Fixtures.goldenDir(), true)) {
            var w = ((org.tessera.model.qwen2.Qwen2Model) q.language()).weights();
            var layer = w.layers().get(0);
            assertEquals(WeightMatrix.Format.Q8_0, layer.q().format());
            assertEquals(WeightMatrix.Format.Q8_0, layer.down().format());
            assertTrue(w.embedTokens().format() != WeightMatrix.Format.Q8_0, "embeddings stay as stored");
            InternVLModel.Output out = q.forward(pv.data(), pv.shape()[0], Fixtures.goldenIds());
            double err = Fixtures.relError(out.logits(), golden);
            System.out.printf("int8 LLM: logits relative error vs golden %.3g%n", err);
            assertTrue(err < 5e-2, "int8 logits error " + err);
            assertTrue(err > 1e-6, "the quantised path must differ from bf16 at all (err " + err + ")");
            Fixtures.assertClose("int8 image embeds (vision side untouched)", out.imageEmbeds(),
                    toDouble(Fixtures.goldenFloats("image_embeds.npy").data()), 1e-4);
        }
    }

    /**
     * {@code --int8-llm} for each family: every projection of the shared decoder (InternLM2's fused wqkv, Phi-3's row
     * views of its fused tensors) is Q8_0, the embeddings are not, and the logits stay within the same bound of the
     * unquantised model's as above (tiny widths, k = 64 to 128, so little averaging; measured 1–3%).
     */
    @ParameterizedTest
    @ValueSource(strings = {LlmCheckpoint.QWEN2, LlmCheckpoint.INTERNLM2, LlmCheckpoint.PHI3})
    void everyFamilyQuantisesItsProjections(String arch, @TempDir Path tmp) {
        LlmCheckpoint.Spec s = new LlmCheckpoint.Spec().arch(arch);
        s.tie = false;
        s.writeHead = true;
        s.seed = 77;
        if (arch.equals(LlmCheckpoint.PHI3)) {
            s.kvHeads = 4;
            s.shortFactor = new double[] {1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
            s.longFactor = new double[] {1, 2, 3, 4, 5, 6, 7, 8};
        }
        LlmCheckpoint.write(tmp, s);
        int[] ids = new java.util.Random(3).ints(24, 0, s.vocab).toArray();
        try (LlmCheckpoint.Loaded f = LlmCheckpoint.load(tmp, false); LlmCheckpoint.Loaded q = LlmCheckpoint.load(tmp, true)) {
            DecoderWeights w = ((DecoderModel) q.model()).decoderWeights();
            for (DecoderWeights.Layer l : w.layers()) {
                List<WeightMatrix> mats = new ArrayList<>(List.of(l.o(), l.gate(), l.up(), l.down()));
                switch (l.qkv()) {
                    case QkvProjection.Separate p -> mats.addAll(List.of(p.q(), p.k(), p.v()));
                    case QkvProjection.Grouped g -> mats.add(g.w());
                }
                for (WeightMatrix m : mats) assertEquals(WeightMatrix.Format.Q8_0, m.format(), arch + " " + m);
            }
            assertEquals(WeightMatrix.Format.Q8_0, w.head().format());
            assertTrue(w.embed().format() != WeightMatrix.Format.Q8_0, "embeddings stay as stored");
            float[] a = f.model().forward(f.model().embed(ids), ids.length, f.model().newCache());
            float[] b = q.model().forward(q.model().embed(ids), ids.length, q.model().newCache());
            double err = Fixtures.relError(b, a);
            System.out.printf("int8 %s: logits relative error vs bf16 %.3g%n", arch, err);
            assertTrue(err < 5e-2 && err > 1e-6, arch + " int8 logits error " + err);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
