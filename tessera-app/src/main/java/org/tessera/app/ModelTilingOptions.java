package org.tessera.app;

import org.tessera.api.Tiling;
import org.tessera.vision.tiling.TileTags;
import picocli.CommandLine.Option;

/**
 * Tiling choices of the commands that run a model (ask, chat, tiny eval): everything left out follows the checkpoint's
 * config.json, unlike {@link TilingCliOptions} (the tile command), which has no model to ask.
 */
public final class ModelTilingOptions {
    @Option(names = "--strategy", paramLabel = "NAME", description = "Tiling: internvl, catty, fixed (default: the model's config).")
    String strategy;

    @Option(names = "--max-tiles", paramLabel = "N", description = "Most local tiles per image (default: the model's max_dynamic_patch).")
    Integer maxTiles;

    @Option(names = "--min-tiles", paramLabel = "N", description = "Fewest local tiles per image (default: the model's min_dynamic_patch).")
    Integer minTiles;

    @Option(names = "--no-thumbnail", description = "Leave out the thumbnail.")
    boolean noThumbnail;

    @Option(names = "--tags", paramLabel = "STYLE", description = "NVLM tile tags: none (default), 1d, 2d-grid, 2d-box.")
    String tags;

    /** Whether any tiling option was given. */
    public boolean any() {
        return strategy != null || maxTiles != null || minTiles != null || noThumbnail || tags != null;
    }

    public Tiling toTiling() {
        return new Tiling(strategy, maxTiles, minTiles, noThumbnail ? Boolean.FALSE : null, tags == null ? null : TileTags.parse(tags));
    }
}
