package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.ops.BicubicInterpolate;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Filter;
import org.tessera.vision.resample.PillowResize;

/**
 * InternLM-XComposer2-4KHD's dynamic image partition "HD-H" ({@code HD_transform}): a portrait image is
 * transposed; the largest column count s with s·ceil(s/r) ≤ H (r = long/short side) is chosen; the image is
 * resized (bilinear, as torchvision resizes a PIL image) so its long side is s·336, its short side is padded with
 * white, centred, to a multiple of 336, and the image is transposed back. The encoder gets a global view (the
 * padded image squeezed to 336×336 by torch's bicubic interpolation on the normalised tensor) followed by the
 * local tiles in row-major order.
 *
 * <p>The layout is 4KHD's: the global view's 12×12 merged features with a newline after each row, the separator,
 * then the local tiles stitched into one feature map (a row runs across all tiles of a tile row) with a newline
 * after each of its rows. The image is always rescaled to the budget, even upwards, as in the original.
 */
public final class HdPartitionTiling implements TilingStrategy {
    public static final int DEFAULT_TILE_SIZE = 336;
    public static final int DEFAULT_HD_NUM = 16;

    private final int hdNum;
    private final int tileSize;
    private final int tokensPerTile;
    private final int featureSide;

    public HdPartitionTiling(TilingOptions o) {
        if (o.tags() != TileTags.NONE) {
            throw new IllegalArgumentException("ixc-hd has its own layout (newlines and a separator); tile tags apply to internvl, catty and fixed");
        }
        if (!o.thumbnail()) {
            throw new IllegalArgumentException("ixc-hd always has its global view; --no-thumbnail applies to internvl and catty");
        }
        this.hdNum = o.maxTilesOr(DEFAULT_HD_NUM);
        this.tileSize = o.tileSizeOr(DEFAULT_TILE_SIZE);
        this.tokensPerTile = TilingStrategy.tokensPerTile(tileSize, o.patchSize());
        this.featureSide = (int) Math.round(Math.sqrt(tokensPerTile));
    }

    @Override
    public String name() {
        return "ixc-hd";
    }

    /** The geometry of HD_transform, in the transposed (landscape) frame when the image is portrait. */
    record Transform(boolean transposed, int s, int newW, int newH, int paddedH, int padTop) {}

    Transform transform(int width, int height) {
        boolean transposed = width < height;
        int w = transposed ? height : width;
        int h = transposed ? width : height;
        double r = (double) w / h;
        int s = 1;
        while (s * Math.ceil(s / r) <= hdNum) s++;
        s--;
        int newW = s * tileSize;
        // int(new_w / r) in the original; an extreme strip (say 20000x1) would give 0 there and crash Pillow,
        // so the height is kept at one pixel at least.
        int newH = Math.max(1, Geometry.pyInt(newW / r));
        int paddedH = (int) Math.ceil((double) newH / tileSize) * tileSize;
        int padTop = (paddedH - newH) / 2;
        return new Transform(transposed, s, newW, newH, paddedH, padTop);
    }

    @Override
    public TilePlan plan(int width, int height) {
        Geometry.checkSize(width, height);
        Transform tf = transform(width, height);
        // Back in the image's own orientation.
        int resizedW = tf.transposed ? tf.newH : tf.newW;
        int resizedH = tf.transposed ? tf.newW : tf.newH;
        int canvasW = tf.transposed ? tf.paddedH : tf.newW;
        int canvasH = tf.transposed ? tf.newW : tf.paddedH;
        int padLeft = tf.transposed ? tf.padTop : 0;
        int padTop = tf.transposed ? 0 : tf.padTop;
        int cols = canvasW / tileSize;
        int rows = canvasH / tileSize;
        double sx = (double) width / resizedW;
        double sy = (double) height / resizedH;

        List<Tile> tiles = new ArrayList<>();
        List<Box> crops = new ArrayList<>();
        tiles.add(new Tile(0, Tile.Kind.GLOBAL, -1, -1, new Box(0, 0, width, height)));
        crops.add(new Box(0, 0, canvasW, canvasH));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                Box crop = new Box(c * tileSize, r * tileSize, (c + 1) * tileSize, (r + 1) * tileSize);
                Box inImage = new Box(crop.x0() - padLeft, crop.y0() - padTop, crop.x1() - padLeft, crop.y1() - padTop)
                        .scale(sx, sy).clip(width, height);
                tiles.add(new Tile(tiles.size(), Tile.Kind.LOCAL, c, r, inImage));
                crops.add(crop);
            }
        }
        return new TilePlan(name(), width, height, cols, rows, tileSize, tokensPerTile, resizedW, resizedH,
                canvasW, canvasH, tiles, crops, layout(cols, rows), Normalization.CLIP);
    }

    /** Global rows with newlines, separator, then the stitched local map's rows with newlines. */
    private InputLayout layout(int cols, int rows) {
        int g = featureSide;
        List<InputLayout.Segment> segs = new ArrayList<>();
        segs.add(new InputLayout.Start());
        for (int fr = 0; fr < g; fr++) {
            segs.add(new InputLayout.Tokens(0, fr * g, g));
            segs.add(new InputLayout.Newline());
        }
        segs.add(new InputLayout.Separator());
        for (int row = 0; row < rows * g; row++) {
            int tileRow = row / g;
            int featureRow = row % g;
            for (int c = 0; c < cols; c++) {
                segs.add(new InputLayout.Tokens(1 + tileRow * cols + c, featureRow * g, g));
            }
            segs.add(new InputLayout.Newline());
        }
        segs.add(new InputLayout.End());
        return new InputLayout(segs);
    }

    /** The padded high-resolution image that the local tiles are cut from, exactly as HD_transform makes it. */
    RgbImage canvas(RgbImage image, TilePlan plan) {
        Transform tf = transform(image.width(), image.height());
        RgbImage src = tf.transposed ? image.transpose() : image;
        RgbImage resized = PillowResize.resize(src, tf.newW, tf.newH, Filter.BILINEAR);
        RgbImage padded = RgbImage.filled(tf.newW, tf.paddedH, 255, 255, 255);
        byte[] dst = padded.pixels();
        byte[] from = resized.pixels();
        System.arraycopy(from, 0, dst, tf.padTop * tf.newW * 3, from.length);
        return tf.transposed ? padded.transpose() : padded;
    }

    /**
     * 8-bit tiles. The global view here is a Pillow bicubic resize of the canvas, fine for looking at; the encoder's
     * input comes from {@link #render}, which interpolates the normalised canvas as the reference does.
     */
    @Override
    public List<RgbImage> crops(RgbImage image, TilePlan plan) {
        RgbImage canvas = canvas(image, plan);
        return TilingStrategy.cut(canvas, plan, () -> PillowResize.resize(canvas, tileSize, tileSize, Filter.BICUBIC));
    }

    @Override
    public TileBatch render(RgbImage image, TilePlan plan) {
        RgbImage canvas = canvas(image, plan);
        List<RgbImage> locals = new ArrayList<>();
        for (Tile t : plan.tiles()) {
            if (t.isLocal()) {
                Box b = plan.cropBoxes().get(t.index());
                locals.add(canvas.crop((int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1()));
            }
        }
        TileBatch local = TilingStrategy.normalize(locals, tileSize, plan.normalization());
        // The global view: F.interpolate(normalised padded image, (336, 336), mode='bicubic'), no 8-bit rounding.
        float[] whole = new float[3 * canvas.width() * canvas.height()];
        TilingStrategy.normalizeChw(canvas, plan.normalization(), whole, 0);
        float[] global = BicubicInterpolate.interpolate(whole, 3, canvas.height(), canvas.width(), tileSize, tileSize);
        float[] out = new float[(local.count() + 1) * 3 * tileSize * tileSize];
        System.arraycopy(global, 0, out, 0, global.length);
        System.arraycopy(local.data(), 0, out, global.length, local.data().length);
        return new TileBatch(local.count() + 1, tileSize, out);
    }
}
