package org.tessera.api;

import org.tessera.model.internvl.InternVLConfig;
import org.tessera.vision.tiling.TileTags;
import org.tessera.vision.tiling.TilingOptions;
import org.tessera.vision.tiling.TilingStrategies;
import org.tessera.vision.tiling.TilingStrategy;

/**
 * How images are cut into tiles for one call. Every field left null takes the model's own setting from its
 * config.json ({@code dynamic_image_size}, {@code max_dynamic_patch}, {@code min_dynamic_patch},
 * {@code use_thumbnail}), so {@link #MODEL_DEFAULT} reproduces the model card's preprocessing. The tile size is
 * always the model's ({@code force_image_size}): the encoder sees nothing else.
 *
 * @param strategy  "internvl", "catty", "fixed" (or "ixc-hd", which InternVL checkpoints cannot use); null: internvl
 *                  when the model tiles dynamically, else fixed
 * @param maxTiles  most local tiles (InternVL {@code max_num})
 * @param minTiles  fewest local tiles
 * @param thumbnail add the thumbnail
 * @param tags      NVLM tile tags between the tiles' tokens (none by default)
 */
public record Tiling(String strategy, Integer maxTiles, Integer minTiles, Boolean thumbnail, TileTags tags) {

    /** Everything as the model's config says. */
    public static final Tiling MODEL_DEFAULT = new Tiling(null, null, null, null, null);

    public Tiling {
        if (strategy != null && !TilingStrategies.NAMES.contains(strategy)) {
            throw new IllegalArgumentException("unknown tiling strategy '" + strategy + "' (expected one of "
                    + String.join(", ", TilingStrategies.NAMES) + ")");
        }
        if (maxTiles != null && (maxTiles < 1 || maxTiles > TilingOptions.MAX_TILES_LIMIT)) {
            throw new IllegalArgumentException("max tiles must be between 1 and " + TilingOptions.MAX_TILES_LIMIT + ", got " + maxTiles);
        }
        if (minTiles != null && minTiles < 1) throw new IllegalArgumentException("min tiles must be at least 1, got " + minTiles);
    }

    /** InternVL dynamic tiling with at most {@code maxTiles} local tiles. */
    public static Tiling internvl(int maxTiles) {
        return new Tiling("internvl", maxTiles, null, null, null);
    }

    public Tiling withStrategy(String s) { return new Tiling(s, maxTiles, minTiles, thumbnail, tags); }

    public Tiling withMaxTiles(Integer n) { return new Tiling(strategy, n, minTiles, thumbnail, tags); }

    public Tiling withMinTiles(Integer n) { return new Tiling(strategy, maxTiles, n, thumbnail, tags); }

    public Tiling withThumbnail(Boolean t) { return new Tiling(strategy, maxTiles, minTiles, t, tags); }

    public Tiling withTags(TileTags t) { return new Tiling(strategy, maxTiles, minTiles, thumbnail, t); }

    /** The strategy these settings make for a model with config {@code cfg}. */
    TilingStrategy resolve(InternVLConfig cfg) {
        String name = strategy != null ? strategy : cfg.dynamicImageSize() ? "internvl" : "fixed";
        int min = minTiles != null ? minTiles : Math.max(1, cfg.minDynamicPatch());
        int max = maxTiles != null ? maxTiles : Math.max(min, cfg.maxDynamicPatch());
        if (max < min) throw new IllegalArgumentException("max tiles (" + max + ") is smaller than min tiles (" + min + ")");
        boolean thumb = thumbnail != null ? thumbnail : cfg.useThumbnail();
        TilingOptions o = new TilingOptions(min, max, cfg.imageSize(), thumb, tags == null ? TileTags.NONE : tags,
                cfg.vision().patchSize());
        return TilingStrategies.create(name, o);
    }

    /** One frame of a video: a single tile, as the model card's {@code load_video} makes ({@code max_num=1}). */
    static TilingStrategy videoFrame(InternVLConfig cfg) {
        return TilingStrategies.create("internvl", new TilingOptions(1, 1, cfg.imageSize(), true, TileTags.NONE, cfg.vision().patchSize()));
    }
}
