package org.tessera.vision.image;

/**
 * The eight EXIF orientations, applied the way Pillow's {@code ImageOps.exif_transpose} does:
 * 2 mirror left-right, 3 rotate 180, 4 mirror top-bottom, 5 transpose, 6 rotate 90 clockwise,
 * 7 transverse, 8 rotate 90 counter-clockwise.
 */
final class Orientation {
    private Orientation() {}

    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation < 2 || orientation > 8) return img;
        int w = img.width(), h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] src = img.pixels();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // (sx, sy): where output pixel (x, y) comes from in the stored image
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                int s = (sy * w + sx) * 3, o = (y * ow + x) * 3;
                dst[o] = src[s];
                dst[o + 1] = src[s + 1];
                dst[o + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, dst);
    }
}
