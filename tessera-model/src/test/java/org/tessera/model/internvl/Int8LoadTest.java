package org.tessera.model.internvl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.Fixtures;

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

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
