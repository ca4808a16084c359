package org.tessera.vision.resample;

/** Pillow's resampling filters that the reference pipelines use. */
public enum Filter {
    /** Pillow {@code Image.BILINEAR} (triangle, support 1): POINTS CATTY, torchvision's default resize of PIL images. */
    BILINEAR,
    /** Pillow {@code Image.BICUBIC} (Keys cubic with a = -0.5, support 2): InternVL tiles and thumbnails. */
    BICUBIC
}
