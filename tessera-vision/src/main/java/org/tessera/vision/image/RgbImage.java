package org.tessera.vision.image;

import java.util.Objects;

/**
 * An 8-bit RGB raster, pixels interleaved row by row ({@code r, g, b, r, g, b, ...}). This is what
 * Pillow's {@code Image.convert('RGB')} gives the reference pipeline, so every resize and crop that
 * must match Pillow works on this type.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] pixels;

    public RgbImage(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(pixels, "pixels");
        if ((long) width * height * 3 != pixels.length) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for "
                    + width + "x" + height + " RGB, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** A new image of the given size filled with one colour. */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        if ((long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image too large: " + width + "x" + height);
        }
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, px);
    }

    public int width() { return width; }

    public int height() { return height; }

    /** The backing array (not a copy): interleaved RGB, {@code 3 * width * height} bytes. */
    public byte[] pixels() { return pixels; }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0-255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Copies the rectangle [x0, x1) x [y0, y1), which must lie inside the image (like Pillow's crop inside bounds). */
    public RgbImage crop(int x0, int y0, int x1, int y1) {
        if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x0 >= x1 || y0 >= y1) {
            throw new IllegalArgumentException("crop box (" + x0 + ", " + y0 + ", " + x1 + ", " + y1
                    + ") is not inside a " + width + "x" + height + " image");
        }
        int w = x1 - x0;
        int h = y1 - y0;
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, ((y0 + y) * width + x0) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Pillow's {@code Image.transpose(Image.TRANSPOSE)}: swaps the axes, so (x, y) moves to (y, x). */
    public RgbImage transpose() {
        byte[] out = new byte[pixels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int src = (y * width + x) * 3;
                int dst = (x * height + y) * 3;
                out[dst] = pixels[src];
                out[dst + 1] = pixels[src + 1];
                out[dst + 2] = pixels[src + 2];
            }
        }
        return new RgbImage(height, width, out);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
