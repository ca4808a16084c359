package org.tessera.vision.image;

/**
 * A decoder's output before the loader applies the caller's options: Pillow-converted RGB, the alpha
 * channel Pillow's {@code convert('RGBA')} would give (only when asked for and the image has one),
 * and the EXIF orientation found in the file.
 */
final class Decoded {
    final int width;
    final int height;
    final byte[] rgb;
    /** One byte per pixel, or null: the image is opaque or the caller did not want alpha. */
    byte[] alpha;
    /** EXIF orientation 1..8 (1 = none or unknown). */
    int orientation = 1;

    Decoded(int width, int height, byte[] rgb, byte[] alpha) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.alpha = alpha;
    }
}
