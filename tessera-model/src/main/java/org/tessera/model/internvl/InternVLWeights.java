package org.tessera.model.internvl;

import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;
import org.tessera.model.internvit.InternVitWeights;

/**
 * An InternVL checkpoint's vision-side weights: the encoder under {@code vision_model.} and the projector
 * {@code mlp1} (an nn.Sequential: 0 = LayerNorm, 1 = Linear, 2 = GELU without parameters, 3 = Linear). The
 * projector names are written only here; the language model under {@code language_model.} is loaded by its family
 * ({@link LanguageModels}).
 */
public record InternVLWeights(InternVitWeights vision, float[] projNormWeight,
                              float[] projNormBias, WeightMatrix proj1, float[] proj1Bias, WeightMatrix proj2,
                              float[] proj2Bias) {

    public static InternVLWeights load(WeightReader r, InternVLConfig cfg) {
        int in = cfg.projectorInput(), d = cfg.llm().hiddenSize();
        return new InternVLWeights(
                InternVitWeights.load(r, "vision_model.", cfg.vision()),
                r.vector("mlp1.0.weight", in),
                r.vector("mlp1.0.bias", in),
                r.matrix("mlp1.1.weight", d, in),
                r.vector("mlp1.1.bias", d),
                r.matrix("mlp1.3.weight", d, d),
                r.vector("mlp1.3.bias", d));
    }
}
