package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.List;
import org.tessera.vision.image.RgbImage;

/**
 * Turns an image into what a vision encoder sees. Each of the papers' answers to "the ViT sees 448 px, the document
 * is 4K" is one implementation; {@link TilingStrategies#create} makes them by name.
 */
public interface TilingStrategy {

    /** The name used on the command line and in plans ("internvl", "ixc-hd", "catty", "fixed"). */
    String name();

    /** The plan for an image of this size; needs no pixels. */
    TilePlan plan(int width, int height);

    /**
     * The tiles of {@code plan} as 8-bit RGB images, cut from {@code image} exactly as the reference pipeline cuts
     * them with Pillow (before ToTensor and normalisation).
     */
    List<RgbImage> crops(RgbImage image, TilePlan plan);

    /** The normalised tiles, ready for the encoder. */
    default TileBatch render(RgbImage image, TilePlan plan) {
        return normalize(crops(image, plan), plan.tileSize(), plan.normalization());
    }

    /** Plans and renders in one step. */
    default TileBatch render(RgbImage image) {
        return render(image, plan(image.width(), image.height()));
    }

    /**
     * The tiles of {@code plan} in order: each local tile cropped from {@code canvas} at its crop box, and the
     * thumbnail or global view made by {@code whole} (each strategy squeezes a different image with its own filter).
     */
    static List<RgbImage> cut(RgbImage canvas, TilePlan plan, java.util.function.Supplier<RgbImage> whole) {
        List<RgbImage> out = new ArrayList<>(plan.tiles().size());
        for (Tile t : plan.tiles()) {
            if (t.isLocal()) {
                Box b = plan.cropBoxes().get(t.index());
                out.add(canvas.crop((int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1()));
            } else {
                out.add(whole.get());
            }
        }
        return out;
    }

    /** ToTensor then Normalize of each square tile, into one [n, 3, S, S] float32 batch. */
    static TileBatch normalize(List<RgbImage> tiles, int size, Normalization norm) {
        float[] out = new float[tiles.size() * 3 * size * size];
        org.tessera.core.Parallel.forRange(tiles.size(), t -> {
            RgbImage tile = tiles.get(t);
            if (tile.width() != size || tile.height() != size) {
                throw new IllegalStateException("tile " + t + " is " + tile.width() + "x" + tile.height() + ", expected " + size);
            }
            normalizeChw(tile, norm, out, t * 3 * size * size);
        });
        return new TileBatch(tiles.size(), size, out);
    }

    /** ToTensor then Normalize of one image into {@code out} at {@code offset}, as [3, H, W] float32. */
    static void normalizeChw(RgbImage image, Normalization norm, float[] out, int offset) {
        float[][] lut = norm.lookupTables();
        int plane = image.width() * image.height();
        byte[] px = image.pixels();
        float[] l0 = lut[0];
        float[] l1 = lut[1];
        float[] l2 = lut[2];
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            out[offset + i] = l0[px[p] & 0xFF];
            out[offset + plane + i] = l1[px[p + 1] & 0xFF];
            out[offset + 2 * plane + i] = l2[px[p + 2] & 0xFF];
        }
    }

    /**
     * Language-model tokens per tile: the ViT's (S / patch)² patches merged 2x2 by pixel shuffle (256 for 448 px,
     * 144 for 336 px, with 14 px patches).
     */
    static int tokensPerTile(int tileSize, int patchSize) {
        if (tileSize % patchSize != 0 || (tileSize / patchSize) % 2 != 0) {
            throw new IllegalArgumentException("tile size " + tileSize + " must be an even multiple of the patch size "
                    + patchSize + " (the 2x2 token merge needs an even patch grid)");
        }
        int n = tileSize / patchSize;
        return n * n / 4;
    }

    /**
     * The layout of strategies that feed whole tiles in plan order: {@code <img>}, then per tile its tag (if any)
     * and its tokens, then {@code </img>}.
     */
    static InputLayout sequentialLayout(TilePlan plan, TileTags tags) {
        List<InputLayout.Segment> segs = new ArrayList<>();
        segs.add(new InputLayout.Start());
        for (Tile t : plan.tiles()) {
            String tag = tags.tagFor(plan, t);
            if (tag != null) segs.add(new InputLayout.Text(tag));
            segs.add(new InputLayout.Tokens(t.index(), 0, plan.tokensPerTile()));
        }
        segs.add(new InputLayout.End());
        return new InputLayout(segs);
    }
}
