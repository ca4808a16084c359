package org.tessera.vision.tiling;

/**
 * One square input of the vision encoder.
 *
 * @param index position in the batch the encoder receives (the plan's order)
 * @param kind  a local crop, or the whole image as a thumbnail / global view
 * @param col   column in the grid of local tiles, -1 for a thumbnail or global view
 * @param row   row in the grid of local tiles, -1 for a thumbnail or global view
 * @param box   what the tile shows, in the ORIGINAL image's pixel coordinates (for a padded strategy the box
 *              is clipped to the image; a tile that is all padding has an empty box)
 */
public record Tile(int index, Kind kind, int col, int row, Box box) {
    public enum Kind {
        /** A crop of the resized image. */
        LOCAL,
        /** The whole image squeezed into one tile, after the local tiles (InternVL, CATTY, NVLM). */
        THUMBNAIL,
        /** The whole (padded) image squeezed into one tile, before the local tiles (InternLM-XComposer2-4KHD). */
        GLOBAL
    }

    public boolean isLocal() {
        return kind == Kind.LOCAL;
    }
}
