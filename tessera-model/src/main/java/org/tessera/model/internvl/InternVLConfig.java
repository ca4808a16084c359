package org.tessera.model.internvl;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tessera.model.ConfigNode;
import org.tessera.model.ModelException;
import org.tessera.model.internvit.InternVit;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.model.llm.LlmConfig;

/**
 * An InternVL chat model's {@code config.json} ({@code InternVLChatConfig}), parsed once and validated. Omitted
 * keys take the original class's defaults: {@code select_layer} −1, {@code downsample_ratio} 0.5,
 * {@code ps_version} "v1", {@code force_image_size} none (then the vision image size), {@code template} none;
 * the vision config's own defaults are InternViT-6B's (see {@link InternVitConfig}).
 *
 * @param llm                the language model's config, by {@code llm_config.architectures[0]}: Qwen2, InternLM2 or
 *                           Phi-3 (see {@link LanguageModels})
 * @param imageSize          the tile size the chat model feeds its encoder: {@code force_image_size}, else
 *                           {@code vision_config.image_size}
 * @param downsampleFactor   1 / {@code downsample_ratio}: pixel shuffle merges factor × factor patches into one token
 * @param imgContextTokenId  {@code img_context_token_id} when config.json records it, else null (the original
 *                           code takes it from the tokenizer)
 */
public record InternVLConfig(InternVitConfig vision, LlmConfig llm, int selectLayer, double downsampleRatio,
                             int downsampleFactor, int imageSize, PixelShuffle pixelShuffle, String template,
                             Integer imgContextTokenId, boolean dynamicImageSize, boolean useThumbnail,
                             int minDynamicPatch, int maxDynamicPatch) {

    /** The checkpoint layout this runtime reads (the original code's, not the transformers-native "-hf" ports). */
    public static final String ARCHITECTURE = "InternVLChatModel";

    /**
     * {@code ps_version}: v2 (all released InternVL2 / 2.5 models) swaps height and width back after the shuffle;
     * v1 (the default when omitted) leaves the merged tokens in transposed (column-major) order.
     */
    public enum PixelShuffle { V1, V2 }

    /** Patches per side of a tile. */
    public int grid() { return imageSize / vision.patchSize(); }

    /** Image tokens one tile becomes: {@code int((image_size // patch)² · downsample_ratio²)}. */
    public int tokensPerTile() {
        int g = grid() / downsampleFactor;
        return g * g;
    }

    /** Width of a merged token, the projector's input: vision hidden · factor². */
    public int projectorInput() { return vision.hiddenSize() * downsampleFactor * downsampleFactor; }

    /** {@code hidden_states} index the features come from (0 = embeddings, layers = last). */
    public int featureLayer() { return InternVit.resolveLayer(selectLayer, vision.numLayers()); }

    /** Reads {@code config.json} from a model directory (or the file itself). */
    public static InternVLConfig load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
        return parse(ConfigNode.read(file));
    }

    public static InternVLConfig parse(ConfigNode c) {
        String arch = c.firstStringOr("architectures", null);
        String type = c.stringOr("model_type", null);
        if (arch != null ? !arch.equals(ARCHITECTURE) : !"internvl_chat".equals(type)) {
            throw c.invalid("architecture " + (arch != null ? arch : "model_type " + type) + " is not supported; supported: "
                    + ARCHITECTURE + " (the original InternVL checkpoints, model_type internvl_chat)");
        }
        InternVitConfig vision = InternVitConfig.parse(c.object("vision_config"));
        LlmConfig llm = LanguageModels.parse(c.object("llm_config"));

        int imageSize = c.intOr("force_image_size", vision.imageSize());
        if (imageSize <= 0 || imageSize % vision.patchSize() != 0) {
            throw c.error("force_image_size", imageSize + " is not a positive multiple of the patch size " + vision.patchSize());
        }
        double ratio = c.doubleOr("downsample_ratio", 0.5);
        long factor = ratio > 0 ? Math.round(1 / ratio) : 0;
        // The original computes int(h * ratio) and int(c / ratio); only ratios 1/f with f whole are consistent.
        if (factor < 1 || Math.abs(factor * ratio - 1) > 1e-9) {
            throw c.error("downsample_ratio", ratio + " is not 1/f for a whole f (InternVL uses 0.5)");
        }
        int grid = imageSize / vision.patchSize();
        if (grid % factor != 0) {
            throw c.error("downsample_ratio", ratio + " does not divide the " + grid + "×" + grid + " patch grid of a " + imageSize + " px tile");
        }
        String ps = c.stringOr("ps_version", "v1");
        PixelShuffle shuffle = switch (ps) {
            case "v1" -> PixelShuffle.V1;
            case "v2" -> PixelShuffle.V2;
            default -> throw c.error("ps_version", "is \"" + ps + "\"; supported: \"v1\", \"v2\"");
        };
        int selectLayer = c.intOr("select_layer", -1);
        try {
            InternVit.resolveLayer(selectLayer, vision.numLayers());
        } catch (ModelException e) {
            throw c.error("select_layer", e.getMessage().substring("select_layer ".length()));
        }
        Integer ctx = c.has("img_context_token_id") ? c.intOr("img_context_token_id", -1) : null;
        if (ctx != null && (ctx < 0 || ctx >= llm.vocabSize())) {
            throw c.error("img_context_token_id", ctx + " is outside the vocabulary [0, " + llm.vocabSize() + ")");
        }
        return new InternVLConfig(vision, llm, selectLayer, ratio, (int) factor, imageSize, shuffle,
                c.stringOr("template", null), ctx,
                c.boolOr("dynamic_image_size", false), c.boolOr("use_thumbnail", false),
                c.intOr("min_dynamic_patch", 1), c.intOr("max_dynamic_patch", 6));
    }
}
