package org.tessera.model.internvl;

import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;
import org.tessera.model.internvit.InternVitWeights;
import org.tessera.model.qwen2.Qwen2Weights;

/**
 * An InternVL checkpoint's weights: the encoder under {@code vision_model.}, the language model under
 * {@code language_model.}, and the projector {@code mlp1} (an nn.Sequential: 0 = LayerNorm, 1 = Linear,
 * 2 = GELU without parameters, 3 = Linear). The projector names are written only here.
 */
public record InternVLWeights(InternVitWeights vision, Qwen2Weights language, float[] projNormWeight,
                              float[] projNormBias, WeightMatrix proj1, float[] proj1Bias, WeightMatrix proj2,
                              float[] proj2Bias) {

    public static InternVLWeights load(WeightReader r, InternVLConfig cfg) {
        return load(r, cfg, false);
    }

    /** With {@code int8Llm}, the language model's matrices are quantised to Q8_0 at load (see Qwen2Weights). */
    public static InternVLWeights load(WeightReader r, InternVLConfig cfg, boolean int8Llm) {
        int in = cfg.projectorInput(), d = cfg.llm().hiddenSize();
        return new InternVLWeights(
                InternVitWeights.load(r, "vision_model.", cfg.vision()),
                Qwen2Weights.load(r, "language_model.", cfg.llm(), int8Llm),
                r.vector("mlp1.0.weight", in),
                r.vector("mlp1.0.bias", in),
                r.matrix("mlp1.1.weight", d, in),
                r.vector("mlp1.1.bias", d),
                r.matrix("mlp1.3.weight", d, d),
                r.vector("mlp1.3.bias", d));
    }
}
