package org.tessera.vision.image;

import java.util.Locale;

/** The size checks every decoder makes on the header's dimensions before it allocates pixel memory. */
final class Limits {
    /** Largest array the JVM reliably allocates; an RGB image needs 3 bytes per pixel in one array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8L;

    private Limits() {}

    /**
     * Throws a one-line reason when a {@code width x height} image must not be decoded: a non-positive
     * size, more pixels than {@code maxPixels}, or more than fits into one RGB byte array.
     *
     * @param what prefix for the message, e.g. "" or "page 3 at 144 DPI would be "
     */
    static void check(long width, long height, long maxPixels, String what) {
        if (width <= 0 || height <= 0) {
            throw new DecodeException(what + "invalid image size " + width + "x" + height);
        }
        long px = width * height;       // both < 2^32, so no long overflow
        if (px > maxPixels) {
            String a = megapixels(px);
            String b = megapixels(maxPixels);
            String size = a.equals(b) ? px + " pixels exceeds the limit of " + maxPixels + " pixels"
                    : a + " megapixels exceeds the limit of " + b + " megapixels";
            throw new DecodeException(what + width + "x" + height + " = " + size + " (raise it with --max-pixels)");
        }
        if (px * 3 > MAX_ARRAY) {
            throw new DecodeException(what + width + "x" + height + " is too large to hold as one RGB array (at most "
                    + MAX_ARRAY / 3 / 1_000_000 + " megapixels)");
        }
    }

    /** "400", "8.3", "0.5": megapixels with at most one decimal. */
    static String megapixels(long px) {
        if (px % 1_000_000 == 0) return Long.toString(px / 1_000_000);
        String s = String.format(Locale.ROOT, "%.1f", px / 1e6);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
