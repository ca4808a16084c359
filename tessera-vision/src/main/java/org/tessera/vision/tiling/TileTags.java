package org.tessera.vision.tiling;

import java.util.Locale;

/**
 * NVLM-1.0's tile tags: text placed before each tile's image tokens so the language model knows where a tile sits.
 * The 1-D form follows the released NVLM-D code ({@code <tile_1>} ... {@code <tile_global_thumbnail>}); the 2-D
 * forms follow the paper's ablation, which names the thumbnail {@code <tile_global>}.
 */
public enum TileTags {
    /** No tags: InternVL's plain concatenation. */
    NONE("none"),
    /** {@code <tile_1>}, {@code <tile_2>}, ... in row-major order, then {@code <tile_global_thumbnail>}. */
    ONE_D("1d"),
    /** {@code <tile_x0_y0>}, {@code <tile_x1_y0>}, ... (x = column, y = row), then {@code <tile_global>}. */
    GRID_2D("2d-grid"),
    /**
     * {@code <box> (x0, y0), (x1, y1) </box>} with the tile's left-top and right-bottom corners in pixels of the
     * resized high-resolution image, then {@code <tile_global>}. The paper does not give the coordinate units
     * (UNVERIFIED); pixels of the image the tiles are cut from are what a reader can check.
     */
    BOX_2D("2d-box");

    private final String cliName;

    TileTags(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static TileTags parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (TileTags t : values()) {
            if (t.cliName.equals(k)) return t;
        }
        throw new IllegalArgumentException("unknown tile tag style '" + s + "' (expected none, 1d, 2d-grid or 2d-box)");
    }

    /**
     * The tag for tile {@code tile} of {@code plan}. As in NVLM-D's code, when an image is a single tile with no
     * thumbnail, that tile is tagged as the global thumbnail.
     */
    String tagFor(TilePlan plan, Tile tile) {
        boolean global = !tile.isLocal() || plan.tiles().size() == 1;
        return switch (this) {
            case NONE -> null;
            case ONE_D -> global ? "<tile_global_thumbnail>" : "<tile_" + (tile.index() + 1) + ">";
            case GRID_2D -> global ? "<tile_global>" : "<tile_x" + tile.col() + "_y" + tile.row() + ">";
            case BOX_2D -> {
                if (global) yield "<tile_global>";
                Box b = plan.cropBoxes().get(tile.index());
                yield String.format(Locale.ROOT, "<box> (%d, %d), (%d, %d) </box>",
                        (int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1());
            }
        };
    }
}
