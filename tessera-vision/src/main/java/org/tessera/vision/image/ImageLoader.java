package org.tessera.vision.image;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads an image file into the 8-bit RGB raster the reference pipeline sees: the pixels of Pillow 9.4's
 * {@code Image.open(f).convert('RGB')}, which InternVL's preprocessing calls on every input.
 *
 * <p>Formats are recognised by content: PNG, JPEG, BMP, GIF (first frame), WebP, TIFF (first page) and PDF
 * (one page rendered with PDFBox). PNG, JPEG, GIF and BMP have decoders of their own here that reproduce
 * Pillow's results bit for bit (including its quirks, documented on each decoder); WebP and TIFF go
 * through ImageIO with the TwelveMonkeys plugins, with Pillow's conversion rules applied to the decoded
 * samples: exact for lossless WebP and the usual TIFF layouts, close but not exact for lossy WebP
 * (TwelveMonkeys replicates chroma where libwebp interpolates it).
 *
 * <p>Transparency is dropped by default, keeping the colour stored under it, as {@code convert('RGB')}
 * does; {@link ImageLoadOptions.AlphaMode#WHITE} lays the image over white instead, exactly as Pillow's
 * {@code Image.alpha_composite(white, im.convert('RGBA'))} would (so palette and colour-key transparency
 * count too). The EXIF orientation is ignored unless asked for, like Pillow, except for TIFFs, which
 * Pillow rotates while loading them.
 *
 * <p>Every failure is an {@link ImageLoadException} with one line naming the file and the reason. The
 * pixel limit is enforced from the header, before any pixel memory is allocated, so a small file that
 * claims a gigantic size fails at once.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /** Loads {@code file}; its path as given names it in error messages. */
    public static RgbImage load(Path file, ImageLoadOptions opts) {
        Objects.requireNonNull(opts, "opts");
        String name = displayName(file);
        byte[] data = readFile(file, name);
        return load(data, name, opts);
    }

    /**
     * Loads an image held in memory (for example a decoded {@code data:} URL).
     *
     * @param displayName what error messages call it
     */
    public static RgbImage load(byte[] data, String displayName, ImageLoadOptions opts) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(opts, "opts");
        String name = memoryName(displayName);
        ImageFormat format = formatOf(data, name);
        try {
            boolean wantAlpha = opts.alpha() == ImageLoadOptions.AlphaMode.WHITE;
            Decoded d = switch (format) {
                case PNG -> PngDecoder.decode(data, opts.maxPixels(), wantAlpha);
                case JPEG -> JpegDecoder.decode(data, opts.maxPixels());
                case GIF -> GifDecoder.decode(data, opts.maxPixels(), wantAlpha);
                case BMP -> BmpDecoder.decode(data, opts.maxPixels(), wantAlpha);
                case WEBP, TIFF -> ImageIoDecoder.decode(data, format, opts.maxPixels(), wantAlpha);
                case PDF -> PdfRenderer.render(data, opts.pdfPage(), opts.pdfDpi(), opts.maxPixels());
            };
            byte[] rgb = d.rgb;
            if (wantAlpha && d.alpha != null) compositeOverWhite(rgb, d.alpha);
            RgbImage img = new RgbImage(d.width, d.height, rgb);
            // Pillow 9.4's TIFF plugin applies the Orientation tag itself when it loads the pixels, so for a TIFF
            // convert('RGB') is already upright; everywhere else the tag is ignored unless asked for. (Pillow's
            // exif_transpose on such a TIFF turns it a second time; that bug is not reproduced.)
            boolean orient = opts.applyExifOrientation() || format == ImageFormat.TIFF;
            if (orient && d.orientation != 1) img = Orientation.apply(img, d.orientation);
            return img;
        } catch (DecodeException e) {
            throw new ImageLoadException(name + ": " + oneLine(e.getMessage()), e);
        } catch (OutOfMemoryError e) {
            // The size check passed, but the heap is smaller than this image needs. Recoverable: the
            // failed allocation is released, and the caller can lower the limit or raise -Xmx.
            throw new ImageLoadException(name + ": not enough memory to decode this " + format.displayName()
                    + " image (raise the Java heap with -Xmx or lower --max-pixels)", e);
        } catch (ImageLoadException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // A decoder bug or a library choking on hostile data: still one line, still naming the file.
            throw new ImageLoadException(name + ": corrupt or unsupported " + format.displayName()
                    + " data (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** What messages call an in-memory image: its display name on one line, or "image". */
    private static String memoryName(String displayName) {
        return displayName == null || displayName.isBlank() ? "image" : oneLine(displayName);
    }

    /** The format from the content's magic bytes; empty or unknown data is refused naming the image. */
    private static ImageFormat formatOf(byte[] data, String name) {
        if (data.length == 0) throw new ImageLoadException(name + ": empty file");
        ImageFormat format = ImageFormat.sniff(data);
        if (format == null) {
            throw new ImageLoadException(name + ": not a supported image format (" + ImageFormat.SUPPORTED_LIST + ")");
        }
        return format;
    }

    /** Format, stored size and EXIF orientation from the header alone; PDF pages are measured at the default DPI. */
    public static ImageInfo probe(Path file) {
        return probe(file, ImageLoadOptions.defaults());
    }

    /** As {@link #probe(Path)}, measuring PDF page {@code opts.pdfPage()} at {@code opts.pdfDpi()}. */
    public static ImageInfo probe(Path file, ImageLoadOptions opts) {
        String name = displayName(file);
        return probe(readFile(file, name), name, opts);
    }

    /** Probes an image held in memory. */
    public static ImageInfo probe(byte[] data, String displayName, ImageLoadOptions opts) {
        String name = memoryName(displayName);
        ImageFormat format = formatOf(data, name);
        try {
            return switch (format) {
                case PNG -> PngDecoder.probe(data);
                case JPEG -> JpegDecoder.probe(data);
                case GIF -> GifDecoder.probe(data);
                case BMP -> BmpDecoder.probe(data);
                case WEBP, TIFF -> ImageIoDecoder.probe(data, format);
                case PDF -> PdfRenderer.probe(data, opts.pdfPage(), opts.pdfDpi());
            };
        } catch (DecodeException e) {
            throw new ImageLoadException(name + ": " + oneLine(e.getMessage()), e);
        } catch (ImageLoadException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new ImageLoadException(name + ": corrupt or unsupported " + format.displayName()
                    + " data (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Number of pages of a PDF file. */
    public static int pdfPageCount(Path file) {
        String name = displayName(file);
        byte[] data = readFile(file, name);
        if (data.length == 0) throw new ImageLoadException(name + ": empty file");
        if (ImageFormat.sniff(data) != ImageFormat.PDF) throw new ImageLoadException(name + ": not a PDF file");
        try {
            return PdfRenderer.pageCount(data);
        } catch (DecodeException e) {
            throw new ImageLoadException(name + ": " + oneLine(e.getMessage()), e);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new ImageLoadException(name + ": corrupt or unsupported PDF data (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static String displayName(Path file) {
        Objects.requireNonNull(file, "file");
        return oneLine(file.toString());
    }

    private static byte[] readFile(Path file, String name) {
        try {
            if (Files.isDirectory(file)) throw new ImageLoadException(name + ": is a directory, not an image file");
            long size = Files.size(file);
            if (size > Limits.MAX_ARRAY) {
                throw new ImageLoadException(name + ": file too large (" + size + " bytes; at most 2 GB can be read)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageLoadException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ImageLoadException(name + ": permission denied");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageLoadException(name + ": cannot read file (" + oneLine(why) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(name + ": not enough memory to read the file (raise the Java heap with -Xmx)", e);
        }
    }

    /** Messages must stay on one line even when a file name or a library message contains line breaks. */
    static String oneLine(String s) {
        if (s == null) return "";
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    /**
     * Lays the image over white, exactly as Pillow's {@code Image.alpha_composite(white, im.convert('RGBA'))}
     * rounds: {@code (c * a + 255 * (255 - a) + 127) / 255}, checked against Pillow for every (c, a).
     */
    static void compositeOverWhite(byte[] rgb, byte[] alpha) {
        for (int i = 0, o = 0; i < alpha.length; i++, o += 3) {
            int a = alpha[i] & 0xFF;
            if (a == 255) continue;
            int bg = 255 * (255 - a) + 127;
            rgb[o] = (byte) (((rgb[o] & 0xFF) * a + bg) / 255);
            rgb[o + 1] = (byte) (((rgb[o + 1] & 0xFF) * a + bg) / 255);
            rgb[o + 2] = (byte) (((rgb[o + 2] & 0xFF) * a + bg) / 255);
        }
    }
}
