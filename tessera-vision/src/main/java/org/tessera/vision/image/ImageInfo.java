package org.tessera.vision.image;

/**
 * What {@link ImageLoader#probe} learns from a file's header without decoding its pixels.
 *
 * @param format          the format, from the file's content
 * @param width           stored width in pixels (for a PDF: the probed page rendered at the given DPI)
 * @param height          stored height in pixels
 * @param exifOrientation the EXIF Orientation tag, 1 to 8, or 1 when there is none; the size above is
 *                        before any rotation it asks for (see {@link #orientedWidth()}). TIFFs are always
 *                        loaded upright, as Pillow loads them; other formats only when asked to.
 * @param pages           number of pages (PDF) or 1
 */
public record ImageInfo(ImageFormat format, int width, int height, int exifOrientation, int pages) {

    /** Width after applying the EXIF orientation: orientations 5 to 8 swap the axes. */
    public int orientedWidth() {
        return exifOrientation >= 5 ? height : width;
    }

    /** Height after applying the EXIF orientation. */
    public int orientedHeight() {
        return exifOrientation >= 5 ? width : height;
    }

    public long pixels() {
        return (long) width * height;
    }
}
