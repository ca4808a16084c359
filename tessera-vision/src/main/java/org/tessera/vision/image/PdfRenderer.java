package org.tessera.vision.image;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.util.Locale;

/**
 * Renders one PDF page to RGB with PDFBox: the crop box at {@code dpi / 72} pixels per point, the page's
 * /Rotate applied, on a white background. The pixel size is computed the way PDFBox computes it
 * ({@code floor(points * scale)}, at least 1) so the pixel limit is checked before anything is drawn.
 */
final class PdfRenderer {
    private PdfRenderer() {}

    private interface DocBody<T> {
        T run(PDDocument doc) throws IOException;
    }

    private static <T> T withDocument(byte[] d, DocBody<T> body) {
        try (PDDocument doc = Loader.loadPDF(d)) {
            return body.run(doc);
        } catch (InvalidPasswordException e) {
            throw new DecodeException("encrypted PDF (a password is needed to open it)", e);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new DecodeException("corrupt or unsupported PDF data (" + m + ")", e);
        }
    }

    static int pageCount(byte[] d) {
        return withDocument(d, PDDocument::getNumberOfPages);
    }

    static ImageInfo probe(byte[] d, int page, float dpi) {
        return withDocument(d, doc -> {
            PDPage p = page(doc, page);
            int[] size = pixelSize(p, dpi);
            return new ImageInfo(ImageFormat.PDF, size[0], size[1], 1, doc.getNumberOfPages());
        });
    }

    static Decoded render(byte[] d, int page, float dpi, long maxPixels) {
        return withDocument(d, doc -> {
            PDPage p = page(doc, page);
            int[] size = pixelSize(p, dpi);
            Limits.check(size[0], size[1], maxPixels, "page " + page + " at " + fmt(dpi) + " DPI would be ");
            BufferedImage img = new PDFRenderer(doc).renderImage(page - 1, dpi / 72f, ImageType.RGB);
            int w = img.getWidth(), h = img.getHeight();
            byte[] rgb = new byte[w * h * 3];
            if (img.getType() == BufferedImage.TYPE_INT_RGB && img.getRaster().getDataBuffer() instanceof DataBufferInt db
                    && img.getRaster().getSampleModelTranslateX() == 0 && img.getRaster().getSampleModelTranslateY() == 0) {
                int[] px = db.getData();
                for (int i = 0, o = 0; i < w * h; i++, o += 3) {
                    int v = px[i];
                    rgb[o] = (byte) (v >> 16);
                    rgb[o + 1] = (byte) (v >> 8);
                    rgb[o + 2] = (byte) v;
                }
            } else {
                for (int y = 0; y < h; y++) {
                    for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                        int v = img.getRGB(x, y);
                        rgb[o] = (byte) (v >> 16);
                        rgb[o + 1] = (byte) (v >> 8);
                        rgb[o + 2] = (byte) v;
                    }
                }
            }
            return new Decoded(w, h, rgb, null);
        });
    }

    private static PDPage page(PDDocument doc, int page) {
        int n = doc.getNumberOfPages();
        if (n == 0) throw new DecodeException("the PDF has no pages");
        if (page < 1 || page > n) {
            throw new DecodeException("page " + page + " does not exist (the PDF has " + n + (n == 1 ? " page)" : " pages)"));
        }
        return doc.getPage(page - 1);
    }

    /** Rendered size in pixels, as PDFRenderer.renderImage computes it. */
    static int[] pixelSize(PDPage p, float dpi) {
        PDRectangle crop = p.getCropBox();
        float scale = dpi / 72f;
        double w = Math.max(Math.floor(crop.getWidth() * scale), 1);
        double h = Math.max(Math.floor(crop.getHeight() * scale), 1);
        int rot = p.getRotation();
        boolean swap = rot == 90 || rot == 270;
        if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new DecodeException("page too large to render at " + fmt(dpi) + " DPI");
        }
        return swap ? new int[] {(int) h, (int) w} : new int[] {(int) w, (int) h};
    }

    private static String fmt(float dpi) {
        return dpi == Math.rint(dpi) ? Integer.toString((int) dpi) : String.format(Locale.ROOT, "%.1f", dpi);
    }
}
