package org.tessera.model.internvit;

import org.tessera.model.ConfigNode;

/**
 * InternViT hyper-parameters, as InternVisionConfig holds them ({@code vision_config} of an InternVL config).
 * Omitted keys take that class's defaults, which describe InternViT-6B: {@code norm_type rms_norm},
 * {@code qk_normalization true}, {@code qkv_bias false}, hidden 3200, 25 heads, 48 layers, image 224, patch 14,
 * eps 1e-6. The two released forms are
 * <ul>
 *   <li>300M: LayerNorm (weight and bias), qkv bias, no q/k norm;</li>
 *   <li>6B: RMSNorm (weight only), no qkv bias, q/k RMSNorm over the full width (all heads at once).</li>
 * </ul>
 *
 * @param imageSize the size the position embeddings were trained at ({@code image_size}); other tile sizes are served
 *                  by bicubic interpolation of the position embeddings, as the original does
 */
public record InternVitConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int patchSize,
                              int imageSize, int numChannels, boolean qkvBias, boolean qkNorm, NormType normType,
                              double normEps) {

    /** The two normalisations InternViT builds ({@code NORM2FN} in the original). */
    public enum NormType { LAYER_NORM, RMS_NORM }

    public InternVitConfig {
        if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || patchSize <= 0
                || imageSize <= 0 || numChannels <= 0) {
            throw new IllegalArgumentException("InternViT sizes must be positive");
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        }
    }

    public int headDim() { return hiddenSize / numHeads; }

    /** Patches per side at the trained size. */
    public int gridSize() { return imageSize / patchSize; }

    /**
     * Parses a {@code vision_config} object, applying InternVisionConfig's defaults to omitted keys and refusing
     * what the original would not run (another activation or norm).
     */
    public static InternVitConfig parse(ConfigNode c) {
        String act = c.stringOr("hidden_act", "gelu");
        if (!act.equals("gelu")) throw c.error("hidden_act", "is \"" + act + "\"; InternViT supports only \"gelu\" (exact erf GELU)");
        String norm = c.stringOr("norm_type", "rms_norm");
        NormType nt = switch (norm) {
            case "rms_norm" -> NormType.RMS_NORM;
            case "layer_norm" -> NormType.LAYER_NORM;
            default -> throw c.error("norm_type", "is \"" + norm + "\"; supported: \"layer_norm\" (InternViT-300M), \"rms_norm\" (InternViT-6B)");
        };
        try {
            return new InternVitConfig(
                    c.intOr("hidden_size", 3200),
                    c.intOr("intermediate_size", 12800),
                    c.intOr("num_hidden_layers", 48),
                    c.intOr("num_attention_heads", 25),
                    c.intOr("patch_size", 14),
                    c.intOr("image_size", 224),
                    c.intOr("num_channels", 3),
                    c.boolOr("qkv_bias", false),
                    c.boolOr("qk_normalization", true),
                    nt,
                    c.doubleOr("layer_norm_eps", 1e-6));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }
}
