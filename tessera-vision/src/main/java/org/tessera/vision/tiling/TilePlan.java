package org.tessera.vision.tiling;

import java.util.List;

/**
 * What the vision encoder will see of one image: the tiles in order, where each comes from, the grid, and the
 * layout of the model input. A plan depends only on the image's size and the strategy's settings, so it can be
 * made (and checked) without decoding pixels; {@link TilingStrategy#render} then cuts the tiles.
 *
 * @param strategy       the strategy's name ("internvl", "ixc-hd", "catty", "fixed")
 * @param width          original image width
 * @param height         original image height
 * @param cols           columns of local tiles
 * @param rows           rows of local tiles
 * @param tileSize       side of every tile in pixels
 * @param tokensPerTile  language-model tokens one tile becomes after the 2x2 token merge
 * @param resizedWidth   width of the image the local tiles are cut from, before any padding
 * @param resizedHeight  height of that image
 * @param canvasWidth    width after padding (equals resizedWidth when nothing is padded)
 * @param canvasHeight   height after padding
 * @param tiles          every tile in the order the encoder receives them
 * @param cropBoxes      for each tile, its box in the canvas (local tiles), or the whole canvas or image it squeezes
 * @param layout         the model input for this image
 * @param normalization  mean and std applied to the tiles
 */
public record TilePlan(String strategy, int width, int height, int cols, int rows, int tileSize, int tokensPerTile,
                       int resizedWidth, int resizedHeight, int canvasWidth, int canvasHeight,
                       List<Tile> tiles, List<Box> cropBoxes, InputLayout layout, Normalization normalization) {

    public TilePlan {
        tiles = List.copyOf(tiles);
        cropBoxes = List.copyOf(cropBoxes);
        if (tiles.size() != cropBoxes.size()) throw new IllegalArgumentException("one crop box per tile");
    }

    /** True when a thumbnail or global view is among the tiles. */
    public boolean hasThumbnail() {
        return tiles.stream().anyMatch(t -> !t.isLocal());
    }

    /** Tokens the language model receives for this image, newlines and separators included. */
    public int imageTokens() {
        return layout.imageTokens();
    }

    /** The same plan with another layout (tile tags added on top of a strategy). */
    public TilePlan withLayout(InputLayout newLayout) {
        return new TilePlan(strategy, width, height, cols, rows, tileSize, tokensPerTile, resizedWidth, resizedHeight,
                canvasWidth, canvasHeight, tiles, cropBoxes, newLayout, normalization);
    }
}
