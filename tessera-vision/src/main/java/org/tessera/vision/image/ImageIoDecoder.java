package org.tessera.vision.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * WebP and TIFF through ImageIO's TwelveMonkeys readers, with Pillow's {@code convert('RGB')} rules applied
 * to the decoded samples rather than Java2D's colour conversions:
 * <ul>
 *   <li>16-bit grey is clipped at 255 (Pillow's mode I;16), 16-bit colour keeps the high byte;</li>
 *   <li>CMYK uses Pillow's simple formula (TIFF CMYK is not inverted), never an ICC profile;</li>
 *   <li>associated (premultiplied) alpha is divided out as Pillow's "RGBa" unpacker does
 *       ({@code c * 255 / a}, 0 where a = 0), then dropped;</li>
 *   <li>palettes are used as the reader gives them.</li>
 * </ul>
 * Lossless WebP and the common TIFF layouts match Pillow exactly; lossy WebP comes from TwelveMonkeys'
 * own VP8 decoder, which rounds differently from libwebp (see the tests for the measured difference).
 * Anything else the readers understand (Lab, float samples, ...) goes through Java2D's sRGB conversion as
 * a best effort. A reader warning about missing data, or an end-of-file, is reported as truncation.
 */
final class ImageIoDecoder {
    private ImageIoDecoder() {}

    static ImageInfo probe(byte[] d, ImageFormat format) {
        return withReader(d, format, r -> {
            int w = r.getWidth(0), h = r.getHeight(0);
            return new ImageInfo(format, w, h, orientation(d, format), 1);
        });
    }

    static Decoded decode(byte[] d, ImageFormat format, long maxPixels, boolean wantAlpha) {
        // The readers fill missing data with zeros (lossless WebP) or fail with an index error
        // (compressed TIFF strips); check the container's own sizes first to call truncation by its name.
        if (format == ImageFormat.WEBP) checkRiff(d);
        else checkTiffStrips(d);
        return withReader(d, format, r -> {
            // The header's size first: the reader allocates the whole destination image in read().
            int w = r.getWidth(0), h = r.getHeight(0);
            Limits.check(w, h, maxPixels, "");
            List<String> warnings = new ArrayList<>();
            r.addIIOReadWarningListener((IIOReadWarningListener) (src, msg) -> warnings.add(msg));
            BufferedImage img = r.read(0);
            for (String wmsg : warnings) {
                String m = wmsg.toLowerCase(Locale.ROOT);
                if (m.contains("truncat") || m.contains("eof") || m.contains("end of") || m.contains("premature")
                        || m.contains("missing") || m.contains("insufficient")) {
                    throw new DecodeException("truncated or corrupt " + format.displayName() + " data (" + wmsg + ")");
                }
            }
            Decoded out = convert(img, wantAlpha);
            out.orientation = orientation(d, format);
            return out;
        });
    }

    private interface ReaderBody<T> {
        T run(ImageReader r) throws IOException;
    }

    private static <T> T withReader(byte[] d, ImageFormat format, ReaderBody<T> body) {
        try (ImageInputStream in = new ByteArrayImageInputStream(d)) {
            ImageReader reader = null;
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            while (it.hasNext()) {
                ImageReader r = it.next();
                // Only TwelveMonkeys reads WebP; for TIFF prefer it over the JDK's reader as well.
                if (r.getClass().getName().startsWith("com.twelvemonkeys")) {
                    reader = r;
                    break;
                }
                if (reader == null) reader = r;
            }
            if (reader == null) {
                throw new DecodeException("no " + format.displayName() + " reader available (TwelveMonkeys plugin missing from the class path)");
            }
            try {
                reader.setInput(in, true, true);
                return body.run(reader);
            } finally {
                reader.dispose();
            }
        } catch (DecodeException e) {
            throw e;
        } catch (EOFException e) {
            throw new DecodeException("truncated " + format.displayName() + " data", e);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            String lower = m.toLowerCase(Locale.ROOT);
            String what = lower.contains("eof") || lower.contains("end of") || lower.contains("truncat")
                    ? "truncated " : "corrupt or unsupported ";
            throw new DecodeException(what + format.displayName() + " data (" + m + ")", e);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | NullPointerException
                 | ArithmeticException | UnsupportedOperationException | java.awt.image.RasterFormatException e) {
            // Plugins throw these on hostile input; the message is rarely useful to a person.
            throw new DecodeException("corrupt or unsupported " + format.displayName() + " data ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Converts a decoded image with Pillow's rules; see the class comment. */
    static Decoded convert(BufferedImage img, boolean wantAlpha) {
        int w = img.getWidth(), h = img.getHeight();
        Raster ras = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        byte[] alpha = null;
        int bands = ras.getNumBands();
        int[] row = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            byte[] r = new byte[size], g = new byte[size], b = new byte[size], a = new byte[size];
            icm.getReds(r);
            icm.getGreens(g);
            icm.getBlues(b);
            icm.getAlphas(a);
            boolean hasAlpha = wantAlpha && icm.hasAlpha();
            if (hasAlpha) alpha = new byte[w * h];
            for (int y = 0; y < h; y++) {
                ras.getSamples(0, y, w, 1, 0, row);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int i = row[x];
                    if (i >= size) {          // out of the map: Pillow's palettes are a grey ramp there
                        rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) i;
                        if (hasAlpha) alpha[y * w + x] = (byte) 255;
                        continue;
                    }
                    rgb[o] = r[i];
                    rgb[o + 1] = g[i];
                    rgb[o + 2] = b[i];
                    if (hasAlpha) alpha[y * w + x] = a[i];
                }
            }
            return new Decoded(w, h, rgb, alpha);
        }
        int csType = cm.getColorSpace().getType();
        boolean componentModel = cm instanceof ComponentColorModel;
        int transfer = ras.getTransferType();
        boolean integral = transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT;
        int colorBands = cm.getNumColorComponents();
        boolean hasAlpha = cm.hasAlpha();
        boolean premultiplied = cm.isAlphaPremultiplied();
        boolean sixteen = transfer == DataBuffer.TYPE_USHORT;
        boolean known = componentModel && integral && bands >= colorBands
                && ((csType == ColorSpace.TYPE_RGB && colorBands == 3)
                || (csType == ColorSpace.TYPE_GRAY && colorBands == 1)
                || (csType == ColorSpace.TYPE_CMYK && colorBands == 4));
        if (!known) {
            // Best effort for layouts Pillow itself handles through other routes (Lab, float, ...).
            for (int y = 0; y < h; y++) {
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int p = img.getRGB(x, y);
                    rgb[o] = (byte) (p >> 16);
                    rgb[o + 1] = (byte) (p >> 8);
                    rgb[o + 2] = (byte) p;
                }
            }
            return new Decoded(w, h, rgb, null);
        }
        if (wantAlpha && hasAlpha) alpha = new byte[w * h];
        int alphaBand = hasAlpha ? colorBands : -1;
        for (int y = 0; y < h; y++) {
            ras.getPixels(0, y, w, 1, row);
            for (int x = 0, o = y * w * 3, s = 0; x < w; x++, o += 3, s += bands) {
                int a = alphaBand >= 0 ? row[s + alphaBand] : 255;
                if (sixteen && alphaBand >= 0) a >>= 8;
                int r, g, b;
                if (csType == ColorSpace.TYPE_GRAY) {
                    int v = row[s];
                    // 8-bit grey as is; 16-bit grey is Pillow's I;16, which convert('RGB') clips at 255.
                    r = g = b = sixteen ? Math.min(v, 255) : v;
                } else if (csType == ColorSpace.TYPE_RGB) {
                    r = row[s];
                    g = row[s + 1];
                    b = row[s + 2];
                    if (sixteen) {
                        r >>= 8;
                        g >>= 8;
                        b >>= 8;
                    }
                    if (premultiplied) {
                        r = unpremultiply(r, a);
                        g = unpremultiply(g, a);
                        b = unpremultiply(b, a);
                    }
                } else {
                    int c = row[s], m = row[s + 1], ye = row[s + 2], k = row[s + 3];
                    if (sixteen) {
                        c >>= 8;
                        m >>= 8;
                        ye >>= 8;
                        k >>= 8;
                    }
                    int nk = 255 - k;
                    r = cmyk(c, nk);
                    g = cmyk(m, nk);
                    b = cmyk(ye, nk);
                }
                rgb[o] = (byte) r;
                rgb[o + 1] = (byte) g;
                rgb[o + 2] = (byte) b;
                if (alpha != null) alpha[y * w + x] = (byte) a;
            }
        }
        return new Decoded(w, h, rgb, alpha);
    }

    /** Pillow's "RGBa" unpacker: 0 where alpha is 0, else {@code min(255, c * 255 / a)} rounded down. */
    private static int unpremultiply(int c, int a) {
        if (a == 0) return 0;
        if (a == 255) return c;
        return Math.min(255, c * 255 / a);
    }

    /** Pillow's CMYK -> RGB: {@code 255 - k - c(255 - k)/255} with its MULDIV255 rounding. */
    private static int cmyk(int c, int nk) {
        int t = c * nk + 128;
        int v = nk - (((t >> 8) + t) >> 8);
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The RIFF header's size and every chunk's size must fit in the data, as libwebp requires. */
    private static void checkRiff(byte[] d) {
        long riff = u32le(d, 4);
        if (riff < 4 || 8 + riff > d.length) throw new DecodeException("truncated WebP data");
        int p = 12;
        long end = 8 + riff;
        while (p + 8 <= end) {
            long size = u32le(d, p + 4);
            if (p + 8 + size > end) throw new DecodeException("truncated WebP data");
            p = (int) (p + 8 + size + (size & 1));
        }
    }

    /** Strips or tiles of the first page that reach past the end of the file mean a truncated TIFF. */
    private static void checkTiffStrips(byte[] d) {
        if (d.length >= 4 && (d[2] == 43 || d[3] == 43)) return;      // BigTIFF: left to the reader
        boolean le = d[0] == 'I';
        // libtiff writes the directory after the pixel data, so a cut file often loses it entirely.
        long ifd = d.length >= 8 ? Exif.u32(d, 4, le) : Long.MAX_VALUE;
        if (ifd + 2 > d.length || ifd + 2 + 12L * Exif.u16(d, (int) ifd, le) > d.length) {
            throw new DecodeException("truncated TIFF data (first directory missing)");
        }
        for (int[] tags : new int[][] {{273, 279}, {324, 325}}) {
            long[] offsets = Exif.tiffTagValues(d, tags[0]), counts = Exif.tiffTagValues(d, tags[1]);
            if (offsets == null || counts == null) continue;
            for (int i = 0; i < Math.min(offsets.length, counts.length); i++) {
                if (offsets[i] + counts[i] > d.length) throw new DecodeException("truncated TIFF data");
            }
        }
    }

    private static long u32le(byte[] d, int p) {
        if (p + 4 > d.length) return -1;
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }

    /** EXIF orientation: a TIFF's own first directory, or a WebP's EXIF chunk. */
    private static int orientation(byte[] d, ImageFormat format) {
        if (format == ImageFormat.TIFF) {
            if (d.length >= 4 && d[2] == 43 || d.length >= 4 && d[3] == 43) return 1;      // BigTIFF: not looked at
            return Exif.orientationFromTiff(d, 0, d.length, 0);
        }
        // RIFF chunks after the 12-byte header: fourcc, little-endian size, data padded to even length.
        int p = 12;
        while (p + 8 <= d.length) {
            long size = (d[p + 4] & 0xFFL) | (d[p + 5] & 0xFFL) << 8 | (d[p + 6] & 0xFFL) << 16 | (d[p + 7] & 0xFFL) << 24;
            if (d[p] == 'E' && d[p + 1] == 'X' && d[p + 2] == 'I' && d[p + 3] == 'F') {
                return Exif.orientation(d, p + 8, (int) Math.min(size, d.length - p - 8));
            }
            long next = p + 8 + size + (size & 1);
            if (next > d.length) break;
            p = (int) next;
        }
        return 1;
    }
}
