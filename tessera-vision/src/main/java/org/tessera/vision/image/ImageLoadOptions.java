package org.tessera.vision.image;

/**
 * How {@link ImageLoader} turns a file into an {@link RgbImage}.
 *
 * @param maxPixels        refuse images with more pixels than this (decompression bombs, absurd sizes)
 * @param applyExifOrientation rotate/flip as the EXIF Orientation tag says; off by default because the
 *                         reference pipeline (Pillow's {@code Image.open(...).convert('RGB')}) ignores it
 * @param alpha            what happens to transparency
 * @param pdfPage          1-based page to render when the file is a PDF
 * @param pdfDpi           resolution at which a PDF page is rendered
 */
public record ImageLoadOptions(long maxPixels, boolean applyExifOrientation, AlphaMode alpha, int pdfPage, float pdfDpi) {

    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final float DEFAULT_PDF_DPI = 144f;

    /** Transparency handling. */
    public enum AlphaMode {
        /** Drop the alpha channel, keeping the stored colour, as Pillow's {@code convert('RGB')} does. */
        DROP,
        /** Composite over white (what a person sees in a viewer with a white background). */
        WHITE
    }

    public ImageLoadOptions {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive");
        if (pdfPage < 1) throw new IllegalArgumentException("PDF pages are numbered from 1, got " + pdfPage);
        if (!(pdfDpi > 0 && pdfDpi <= 2400)) throw new IllegalArgumentException("PDF DPI must be in (0, 2400], got " + pdfDpi);
        if (alpha == null) throw new IllegalArgumentException("alpha mode must be given");
    }

    public static ImageLoadOptions defaults() {
        return new ImageLoadOptions(DEFAULT_MAX_PIXELS, false, AlphaMode.DROP, 1, DEFAULT_PDF_DPI);
    }

    public ImageLoadOptions withMaxPixels(long v) { return new ImageLoadOptions(v, applyExifOrientation, alpha, pdfPage, pdfDpi); }
    public ImageLoadOptions withExifOrientation(boolean v) { return new ImageLoadOptions(maxPixels, v, alpha, pdfPage, pdfDpi); }
    public ImageLoadOptions withAlpha(AlphaMode v) { return new ImageLoadOptions(maxPixels, applyExifOrientation, v, pdfPage, pdfDpi); }
    public ImageLoadOptions withPdfPage(int v) { return new ImageLoadOptions(maxPixels, applyExifOrientation, alpha, v, pdfDpi); }
    public ImageLoadOptions withPdfDpi(float v) { return new ImageLoadOptions(maxPixels, applyExifOrientation, alpha, pdfPage, v); }
}
