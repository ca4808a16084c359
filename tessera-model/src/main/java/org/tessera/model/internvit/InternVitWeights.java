package org.tessera.model.internvit;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.WeightReader;

/**
 * InternViT's weights, named as in the public checkpoints ({@code InternVisionModel}'s module attributes under a
 * prefix such as {@code vision_model.}). This is the only place those names are written.
 *
 * @param classEmbedding    [C], the CLS token
 * @param patchEmbedding    the stride-p conv kernel [C, channels, p, p] read as a [C, channels·p·p] matrix
 * @param patchBias         [C]
 * @param positionEmbedding [1 + g², C] row-major, g = image_size / patch_size; row 0 is the CLS position
 */
public record InternVitWeights(float[] classEmbedding, WeightMatrix patchEmbedding, float[] patchBias,
                               float[] positionEmbedding, List<Layer> layers) {

    /**
     * One encoder layer. With LayerNorm the norms have weight and bias; with RMSNorm only weight (bias fields null).
     * {@code qkvBias} is null without {@code qkv_bias}; {@code qNorm}/{@code kNorm} are null without
     * {@code qk_normalization}.
     */
    public record Layer(float[] norm1Weight, float[] norm1Bias, WeightMatrix qkv, float[] qkvBias,
                        float[] qNorm, float[] kNorm, WeightMatrix proj, float[] projBias, float[] ls1,
                        float[] norm2Weight, float[] norm2Bias, WeightMatrix fc1, float[] fc1Bias,
                        WeightMatrix fc2, float[] fc2Bias, float[] ls2) {}

    /** Loads every tensor the config implies, checking each shape; {@code prefix} is e.g. {@code "vision_model."}. */
    public static InternVitWeights load(WeightReader r, String prefix, InternVitConfig cfg) {
        int c = cfg.hiddenSize(), i = cfg.intermediateSize(), p = cfg.patchSize(), g = cfg.gridSize();
        String e = prefix + "embeddings.";
        float[] cls = r.floats(e + "class_embedding", 1, 1, c);
        WeightMatrix patch = r.matrixOfShape(e + "patch_embedding.weight", c, cfg.numChannels(), p, p);
        float[] patchBias = r.vector(e + "patch_embedding.bias", c);
        float[] pos = r.floats(e + "position_embedding", 1, 1 + (long) g * g, c);
        boolean ln = cfg.normType() == InternVitConfig.NormType.LAYER_NORM;
        List<Layer> layers = new ArrayList<>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String n = prefix + "encoder.layers." + l + ".";
            layers.add(new Layer(
                    r.vector(n + "norm1.weight", c),
                    ln ? r.vector(n + "norm1.bias", c) : null,
                    r.matrix(n + "attn.qkv.weight", 3 * c, c),
                    cfg.qkvBias() ? r.vector(n + "attn.qkv.bias", 3 * c) : null,
                    cfg.qkNorm() ? r.vector(n + "attn.q_norm.weight", c) : null,
                    cfg.qkNorm() ? r.vector(n + "attn.k_norm.weight", c) : null,
                    r.matrix(n + "attn.proj.weight", c, c),
                    r.vector(n + "attn.proj.bias", c),
                    r.vector(n + "ls1", c),
                    r.vector(n + "norm2.weight", c),
                    ln ? r.vector(n + "norm2.bias", c) : null,
                    r.matrix(n + "mlp.fc1.weight", i, c),
                    r.vector(n + "mlp.fc1.bias", i),
                    r.matrix(n + "mlp.fc2.weight", c, i),
                    r.vector(n + "mlp.fc2.bias", c),
                    r.vector(n + "ls2", c)));
        }
        return new InternVitWeights(cls, patch, patchBias, pos, List.copyOf(layers));
    }
}
