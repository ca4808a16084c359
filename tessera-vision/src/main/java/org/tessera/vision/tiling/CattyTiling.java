package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Filter;
import org.tessera.vision.resample.PillowResize;

/**
 * POINTS' CATTY (Consistent Aspect raTio dynamic high resolution, {@code split_image_with_catty}): the grid's
 * ratio is the one closest to the image's among those at least as elongated as the image; among grids of that
 * ratio, the one whose tile count is closest to the image's size in tiles; the image is resized keeping its
 * aspect ratio so its short side is an exact multiple of the tile; 336 px windows slide along the long side with
 * overlap; a thumbnail of the resized image always comes last. Images more elongated than max_splits:1 are first
 * squashed to exactly that ratio. Pillow bilinear throughout, as the original.
 */
public final class CattyTiling implements TilingStrategy {
    public static final int DEFAULT_TILE_SIZE = 336;
    public static final int DEFAULT_MAX_SPLITS = 8;

    private final int maxSplits;
    private final int tileSize;
    private final boolean thumbnail;
    private final TileTags tags;
    private final int tokensPerTile;
    private final Map<Double, List<int[]>> ratioTable;

    public CattyTiling(TilingOptions o) {
        this.maxSplits = o.maxTilesOr(DEFAULT_MAX_SPLITS);
        this.tileSize = o.tileSizeOr(DEFAULT_TILE_SIZE);
        this.thumbnail = o.thumbnail();
        this.tags = o.tags();
        this.tokensPerTile = TilingStrategy.tokensPerTile(tileSize, o.patchSize());
        this.ratioTable = ratioTable(maxSplits);
    }

    @Override
    public String name() {
        return "catty";
    }

    /** Every factor pair (a, b), a·b = n for n = 1..max, keyed by a/b in first-insertion order, as the original's dict. */
    static Map<Double, List<int[]>> ratioTable(int maxSplits) {
        Map<Double, List<int[]>> table = new LinkedHashMap<>();
        for (int n = 1; n <= maxSplits; n++) {
            for (int a = 1; a <= n; a++) {
                if (n % a == 0) table.computeIfAbsent((double) a / (n / a), k -> new ArrayList<>()).add(new int[] {a, n / a});
            }
        }
        return table;
    }

    /** The geometry of one CATTY split. */
    record Split(int squashW, int squashH, int gridA, int gridB, int resizedW, int resizedH, int strideX, int strideY) {}

    Split geometry(int width, int height) {
        int w = width;
        int h = height;
        double ratio = (double) w / h;
        if (ratio > maxSplits || ratio < 1.0 / maxSplits) {
            // The original squashes to exactly max_splits:1 (its do_resize=True path, which POINTS' chat uses).
            if (w > h) w = maxSplits * h;
            else h = maxSplits * w;
            ratio = (double) w / h;
        }
        double ws = (double) w / tileSize;
        double hs = (double) h / tileSize;
        double bestKey = Double.NaN;
        double bestDist = Double.POSITIVE_INFINITY;
        for (double k : ratioTable.keySet()) {
            if (ratio < 1 && !(k <= ratio)) continue;
            if (ratio > 1 && !(k >= ratio)) continue;
            double d = Math.abs(k - ratio);
            if (d < bestDist) { // strict: min() keeps the first of equal keys
                bestDist = d;
                bestKey = k;
            }
        }
        int[] best = null;
        double bestArea = Double.POSITIVE_INFINITY;
        for (int[] g : ratioTable.get(bestKey)) {
            double d = Math.abs(g[0] * g[1] - ws * hs);
            if (d < bestArea) {
                bestArea = d;
                best = g;
            }
        }
        int rw;
        int rh;
        if (ws < hs) {
            rw = best[0] * tileSize;
            rh = Geometry.pyInt((double) h / w * rw);
        } else {
            rh = best[1] * tileSize;
            rw = Geometry.pyInt((double) w / h * rh);
        }
        int sx = best[0] > 1 ? Math.floorDiv(rw - tileSize, best[0] - 1) : 0;
        int sy = best[1] > 1 ? Math.floorDiv(rh - tileSize, best[1] - 1) : 0;
        if (sx == 0) sx = tileSize;
        if (sy == 0) sy = tileSize;
        return new Split(w, h, best[0], best[1], rw, rh, sx, sy);
    }

    @Override
    public TilePlan plan(int width, int height) {
        Geometry.checkSize(width, height);
        Split g = geometry(width, height);
        double sx = (double) width / g.resizedW();
        double sy = (double) height / g.resizedH();
        List<Tile> tiles = new ArrayList<>();
        List<Box> crops = new ArrayList<>();
        int rows = 0;
        int cols = 0;
        for (int y = 0; y <= g.resizedH() - tileSize; y += g.strideY()) {
            int c = 0;
            for (int x = 0; x <= g.resizedW() - tileSize; x += g.strideX()) {
                Box crop = new Box(x, y, x + tileSize, y + tileSize);
                tiles.add(new Tile(tiles.size(), Tile.Kind.LOCAL, c, rows, crop.scale(sx, sy)));
                crops.add(crop);
                c++;
            }
            cols = c;
            rows++;
        }
        if (thumbnail) {
            tiles.add(new Tile(tiles.size(), Tile.Kind.THUMBNAIL, -1, -1, new Box(0, 0, width, height)));
            crops.add(new Box(0, 0, g.resizedW(), g.resizedH()));
        }
        TilePlan plan = new TilePlan(name(), width, height, cols, rows, tileSize, tokensPerTile, g.resizedW(), g.resizedH(),
                g.resizedW(), g.resizedH(), tiles, crops, new InputLayout(List.of()), Normalization.CLIP);
        return plan.withLayout(TilingStrategy.sequentialLayout(plan, tags));
    }

    @Override
    public List<RgbImage> crops(RgbImage image, TilePlan plan) {
        Split g = geometry(image.width(), image.height());
        RgbImage src = image;
        if (g.squashW() != image.width() || g.squashH() != image.height()) {
            src = PillowResize.resize(image, g.squashW(), g.squashH(), Filter.BILINEAR);
        }
        RgbImage resized = PillowResize.resize(src, g.resizedW(), g.resizedH(), Filter.BILINEAR);
        return TilingStrategy.cut(resized, plan, () -> PillowResize.resize(resized, tileSize, tileSize, Filter.BILINEAR));
    }
}
