package org.tessera.vision.tiling;

import java.util.List;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Filter;
import org.tessera.vision.resample.PillowResize;

/**
 * The low-resolution baseline every paper compares with: the whole image stretched (Pillow bicubic) to one tile.
 * Equal to InternVL's tiling with one tile at most.
 */
public final class FixedResolution implements TilingStrategy {
    public static final int DEFAULT_TILE_SIZE = 448;

    private final int tileSize;
    private final TileTags tags;
    private final int tokensPerTile;

    public FixedResolution(TilingOptions o) {
        if (o.maxTiles() > 1) {
            throw new IllegalArgumentException("the fixed strategy makes exactly one tile; --max-tiles " + o.maxTiles() + " needs another strategy");
        }
        this.tileSize = o.tileSizeOr(DEFAULT_TILE_SIZE);
        this.tags = o.tags();
        this.tokensPerTile = TilingStrategy.tokensPerTile(tileSize, o.patchSize());
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public TilePlan plan(int width, int height) {
        Geometry.checkSize(width, height);
        Tile only = new Tile(0, Tile.Kind.LOCAL, 0, 0, new Box(0, 0, width, height));
        TilePlan plan = new TilePlan(name(), width, height, 1, 1, tileSize, tokensPerTile, tileSize, tileSize, tileSize, tileSize,
                List.of(only), List.of(new Box(0, 0, tileSize, tileSize)), new InputLayout(List.of()), Normalization.IMAGENET);
        return plan.withLayout(TilingStrategy.sequentialLayout(plan, tags));
    }

    @Override
    public List<RgbImage> crops(RgbImage image, TilePlan plan) {
        return List.of(PillowResize.resize(image, tileSize, tileSize, Filter.BICUBIC));
    }
}
