package org.tessera.app;

import org.tessera.vision.image.ImageLoadOptions;
import picocli.CommandLine.Option;

/** How commands read images: shared by every command that takes an image or a PDF. */
public final class ImageInputOptions {
    @Option(names = "--page", paramLabel = "N", description = "Page of a PDF to use, from 1 (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    public int page = 1;

    @Option(names = "--dpi", paramLabel = "DPI", description = "Resolution at which PDF pages are rendered (default: ${DEFAULT-VALUE}).", defaultValue = "144")
    public float dpi = 144f;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images larger than this many pixels (default: ${DEFAULT-VALUE}).", defaultValue = "100000000")
    public long maxPixels = ImageLoadOptions.DEFAULT_MAX_PIXELS;

    @Option(names = "--exif-orientation", description = "Rotate images as their EXIF Orientation tag says (the reference pipeline does not).")
    public boolean exif;

    @Option(names = "--alpha-white", description = "Composite transparent images on white instead of dropping alpha as Pillow's convert('RGB') does.")
    public boolean alphaWhite;

    public ImageLoadOptions toLoadOptions() {
        return ImageLoadOptions.defaults().withPdfPage(page).withPdfDpi(dpi).withMaxPixels(maxPixels)
                .withExifOrientation(exif)
                .withAlpha(alphaWhite ? ImageLoadOptions.AlphaMode.WHITE : ImageLoadOptions.AlphaMode.DROP);
    }
}
