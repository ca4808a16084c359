package org.tessera.vision.tiling;

/** Checks shared by the strategies. */
final class Geometry {
    private Geometry() {}

    /** Sizes a plan can be made for; pixels are refused earlier, by the image loader's limits. */
    static void checkSize(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be at least 1x1, got " + width + "x" + height);
        }
    }

    /** Python's {@code int(x)} for a non-negative double: truncation toward zero. */
    static int pyInt(double x) {
        return (int) x;
    }
}
