package org.tessera.vision.tiling;

/**
 * Settings shared by the strategies; 0 means "the strategy's own default" for maxTiles and tileSize.
 *
 * @param minTiles  fewest local tiles (InternVL's min_num)
 * @param maxTiles  most local tiles (InternVL max_num, 4KHD hd_num, CATTY max_splits)
 * @param tileSize  tile side in pixels
 * @param thumbnail add the thumbnail (InternVL, CATTY)
 * @param tags      NVLM tile tags in the layout
 * @param patchSize ViT patch size, for tokens per tile
 */
public record TilingOptions(int minTiles, int maxTiles, int tileSize, boolean thumbnail, TileTags tags, int patchSize) {

    /** Hard ceiling on tiles: beyond it a plan is a mistake, not a request (and candidate enumeration stays cheap). */
    public static final int MAX_TILES_LIMIT = 256;

    public TilingOptions {
        if (minTiles < 1) throw new IllegalArgumentException("--min-tiles must be at least 1, got " + minTiles);
        if (maxTiles < 0 || maxTiles > MAX_TILES_LIMIT) {
            throw new IllegalArgumentException("--max-tiles must be between 1 and " + MAX_TILES_LIMIT + ", got " + maxTiles);
        }
        if (maxTiles != 0 && maxTiles < minTiles) {
            throw new IllegalArgumentException("--max-tiles (" + maxTiles + ") is smaller than --min-tiles (" + minTiles + ")");
        }
        if (tileSize < 0 || tileSize > 4096) throw new IllegalArgumentException("--tile-size must be between 1 and 4096, got " + tileSize);
        if (patchSize < 1) throw new IllegalArgumentException("patch size must be positive, got " + patchSize);
        if (tags == null) tags = TileTags.NONE;
    }

    public static TilingOptions defaults() {
        return new TilingOptions(1, 0, 0, true, TileTags.NONE, 14);
    }

    public TilingOptions withMaxTiles(int v) { return new TilingOptions(minTiles, v, tileSize, thumbnail, tags, patchSize); }
    public TilingOptions withMinTiles(int v) { return new TilingOptions(v, maxTiles, tileSize, thumbnail, tags, patchSize); }
    public TilingOptions withTileSize(int v) { return new TilingOptions(minTiles, maxTiles, v, thumbnail, tags, patchSize); }
    public TilingOptions withThumbnail(boolean v) { return new TilingOptions(minTiles, maxTiles, tileSize, v, tags, patchSize); }
    public TilingOptions withTags(TileTags v) { return new TilingOptions(minTiles, maxTiles, tileSize, thumbnail, v, patchSize); }
    public TilingOptions withPatchSize(int v) { return new TilingOptions(minTiles, maxTiles, tileSize, thumbnail, tags, v); }

    int maxTilesOr(int dflt) { return maxTiles == 0 ? dflt : maxTiles; }
    int tileSizeOr(int dflt) { return tileSize == 0 ? dflt : tileSize; }
}
