package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Filter;
import org.tessera.vision.resample.PillowResize;

/**
 * InternVL 1.5+ dynamic high resolution, the model cards' {@code dynamic_preprocess}: pick the grid (i columns,
 * j rows, min ≤ i·j ≤ max) whose aspect ratio is closest to the image's, stretch the image to that grid with
 * Pillow's bicubic filter, cut it row by row into 448 px tiles, and append a thumbnail of the original image
 * when there is more than one tile. NVLM-D uses the same tiling, with tile tags in the layout.
 */
public final class InternVLDynamicTiling implements TilingStrategy {
    public static final int DEFAULT_TILE_SIZE = 448;
    public static final int DEFAULT_MAX_TILES = 12;

    private final int minTiles;
    private final int maxTiles;
    private final int tileSize;
    private final boolean thumbnail;
    private final TileTags tags;
    private final int tokensPerTile;
    private final List<int[]> candidates;

    public InternVLDynamicTiling(TilingOptions o) {
        this.minTiles = o.minTiles();
        this.maxTiles = o.maxTilesOr(DEFAULT_MAX_TILES);
        if (maxTiles < minTiles) {
            throw new IllegalArgumentException("--max-tiles (" + maxTiles + ") is smaller than --min-tiles (" + minTiles + ")");
        }
        this.tileSize = o.tileSizeOr(DEFAULT_TILE_SIZE);
        this.thumbnail = o.thumbnail();
        this.tags = o.tags();
        this.tokensPerTile = TilingStrategy.tokensPerTile(tileSize, o.patchSize());
        this.candidates = candidateGrids(minTiles, maxTiles);
    }

    @Override
    public String name() {
        return "internvl";
    }

    /**
     * The candidate grids in the order the reference tries them: the CPython set of (i, j) with
     * min ≤ i·j ≤ max, built by the same nested loops, stably sorted by i·j.
     */
    static List<int[]> candidateGrids(int min, int max) {
        List<int[]> inserted = new ArrayList<>();
        for (int n = min; n <= max; n++) {
            for (int i = 1; i <= n; i++) {
                for (int j = 1; j <= n; j++) {
                    if (i * j >= min && i * j <= max) inserted.add(new int[] {i, j});
                }
            }
        }
        List<int[]> order = new ArrayList<>(PythonSetOrder.iterationOrder(inserted));
        order.sort(Comparator.comparingInt(g -> g[0] * g[1])); // List.sort is stable, like Python's sorted
        return order;
    }

    /** The reference's {@code find_closest_aspect_ratio}, with its tie-break towards larger grids for large images. */
    static int[] closestGrid(List<int[]> candidates, int width, int height, int tileSize) {
        double ar = (double) width / height;
        double bestDiff = Double.POSITIVE_INFINITY;
        int[] best = {1, 1};
        double area = (double) width * height;
        for (int[] g : candidates) {
            double d = Math.abs(ar - (double) g[0] / g[1]);
            if (d < bestDiff) {
                bestDiff = d;
                best = g;
            } else if (d == bestDiff && area > 0.5 * tileSize * tileSize * g[0] * g[1]) {
                best = g;
            }
        }
        return best;
    }

    @Override
    public TilePlan plan(int width, int height) {
        Geometry.checkSize(width, height);
        int[] g = closestGrid(candidates, width, height, tileSize);
        int cols = g[0];
        int rows = g[1];
        int rw = cols * tileSize;
        int rh = rows * tileSize;
        double sx = (double) width / rw;
        double sy = (double) height / rh;
        List<Tile> tiles = new ArrayList<>();
        List<Box> crops = new ArrayList<>();
        for (int k = 0; k < cols * rows; k++) {
            int c = k % cols;
            int r = k / cols;
            Box crop = new Box(c * tileSize, r * tileSize, (c + 1) * tileSize, (r + 1) * tileSize);
            tiles.add(new Tile(k, Tile.Kind.LOCAL, c, r, crop.scale(sx, sy)));
            crops.add(crop);
        }
        if (thumbnail && tiles.size() != 1) {
            tiles.add(new Tile(tiles.size(), Tile.Kind.THUMBNAIL, -1, -1, new Box(0, 0, width, height)));
            crops.add(new Box(0, 0, width, height));
        }
        TilePlan plan = new TilePlan(name(), width, height, cols, rows, tileSize, tokensPerTile, rw, rh, rw, rh,
                tiles, crops, new InputLayout(List.of()), Normalization.IMAGENET);
        return plan.withLayout(TilingStrategy.sequentialLayout(plan, tags));
    }

    @Override
    public List<RgbImage> crops(RgbImage image, TilePlan plan) {
        RgbImage resized = PillowResize.resize(image, plan.resizedWidth(), plan.resizedHeight(), Filter.BICUBIC);
        return TilingStrategy.cut(resized, plan, () -> PillowResize.resize(image, tileSize, tileSize, Filter.BICUBIC));
    }
}
