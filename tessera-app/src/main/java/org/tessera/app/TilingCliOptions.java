package org.tessera.app;

import org.tessera.vision.tiling.TileTags;
import org.tessera.vision.tiling.TilingOptions;
import org.tessera.vision.tiling.TilingStrategies;
import org.tessera.vision.tiling.TilingStrategy;
import picocli.CommandLine.Option;

/** The tiling choices every command that feeds images to a model offers. */
public final class TilingCliOptions {
    @Option(names = "--strategy", paramLabel = "NAME",
            description = "Tiling strategy: internvl (default), ixc-hd, catty, fixed; for `tile` also multiview and video.",
            defaultValue = "internvl")
    public String strategy = "internvl";

    @Option(names = "--max-tiles", paramLabel = "N",
            description = "Most local tiles (internvl max_num, default 12; ixc-hd hd_num, default 16; catty max_splits, default 8).")
    public int maxTiles;

    @Option(names = "--min-tiles", paramLabel = "N", description = "Fewest local tiles (internvl; default: ${DEFAULT-VALUE}).", defaultValue = "1")
    public int minTiles = 1;

    @Option(names = "--tile-size", paramLabel = "S", description = "Tile side in pixels (default 448 for internvl and fixed, 336 for ixc-hd and catty).")
    public int tileSize;

    @Option(names = "--no-thumbnail", description = "Leave out the thumbnail (internvl, catty).")
    public boolean noThumbnail;

    @Option(names = "--tags", paramLabel = "STYLE", description = "NVLM tile tags: none (default), 1d, 2d-grid, 2d-box.", defaultValue = "none")
    public String tags = "none";

    public TilingOptions toOptions() {
        return new TilingOptions(minTiles, maxTiles, tileSize, !noThumbnail, TileTags.parse(tags), 14);
    }

    /** The single-image strategy named by --strategy (multiview and video tile their canvas / frames with these). */
    public TilingStrategy create(String name) {
        return TilingStrategies.create(name, toOptions());
    }
}
