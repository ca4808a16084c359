package org.tessera.api;

import java.nio.file.Path;
import java.util.Objects;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.image.RgbImage;

/**
 * An image given to the model: a file (any format the image loader reads, or one page of a PDF), encoded bytes
 * (an upload, a data: URL), or pixels already decoded.
 */
public sealed interface ImageInput {

    /** A name for messages and plans: the file name, or what the caller called the bytes. */
    String name();

    /** Decodes the image with {@code options} (pixel limit, PDF page, alpha handling). */
    RgbImage load(ImageLoadOptions options);

    /** An image file, or the first page of a PDF. */
    static ImageInput file(Path path) {
        return new File(path, 1);
    }

    /** Page {@code page} (from 1) of a PDF. */
    static ImageInput pdfPage(Path pdf, int page) {
        return new File(pdf, page);
    }

    /** Encoded image bytes (PNG, JPEG, WebP, …, or a PDF); {@code name} is used in messages. */
    static ImageInput bytes(byte[] data, String name) {
        return new Bytes(data, name);
    }

    /** Pixels already decoded. */
    static ImageInput of(RgbImage image) {
        return new Raster(image, "image " + image.width() + "x" + image.height());
    }

    record File(Path path, int page) implements ImageInput {
        public File {
            Objects.requireNonNull(path, "path");
            if (page < 1) throw new IllegalArgumentException("PDF pages count from 1, got " + page);
        }

        @Override public String name() { return path.toString(); }

        @Override
        public RgbImage load(ImageLoadOptions options) {
            return ImageLoader.load(path, options.withPdfPage(page));
        }
    }

    record Bytes(byte[] data, String name) implements ImageInput {
        public Bytes {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public RgbImage load(ImageLoadOptions options) {
            return ImageLoader.load(data, name, options);
        }
    }

    record Raster(RgbImage image, String name) implements ImageInput {
        public Raster {
            Objects.requireNonNull(image, "image");
        }

        @Override
        public RgbImage load(ImageLoadOptions options) {
            long px = (long) image.width() * image.height();
            if (px > options.maxPixels()) {
                throw new IllegalArgumentException(name + ": " + px + " pixels is more than the limit of " + options.maxPixels());
            }
            return image;
        }
    }
}
