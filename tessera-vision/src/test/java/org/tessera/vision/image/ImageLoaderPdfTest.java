package org.tessera.vision.image;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PDF input: pages are counted, rendered with PDFBox at the requested DPI (size = points x DPI / 72),
 * the page's rotation is applied, and out-of-range pages or oversized renders fail with a clear message.
 * The document is built here with PDFBox: a US-letter page with a red rectangle and a small landscape
 * page rotated by 90 degrees with a blue one. Only vector fills, no text, so no system fonts are needed.
 */
class ImageLoaderPdfTest {
    @TempDir
    static Path tmp;
    static Path pdf;

    @BeforeAll
    static void makePdf() throws IOException {
        pdf = tmp.resolve("report.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage letter = new PDPage(PDRectangle.LETTER);            // 612 x 792 pt
            doc.addPage(letter);
            try (PDPageContentStream cs = new PDPageContentStream(doc, letter)) {
                cs.setNonStrokingColor(1f, 0f, 0f);
                cs.addRect(100, 100, 200, 300);                        // PDF origin: bottom left
                cs.fill();
            }
            PDPage small = new PDPage(new PDRectangle(300, 200));
            small.setRotation(90);
            doc.addPage(small);
            try (PDPageContentStream cs = new PDPageContentStream(doc, small)) {
                cs.setNonStrokingColor(0f, 0f, 1f);
                cs.addRect(0, 0, 150, 200);                            // left half of the unrotated page
                cs.fill();
            }
            doc.save(pdf.toFile());
        }
    }

    static void assertColour(RgbImage img, int x, int y, int r, int g, int b) {
        assertEquals(r, img.get(x, y, 0), "red at " + x + "," + y);
        assertEquals(g, img.get(x, y, 1), "green at " + x + "," + y);
        assertEquals(b, img.get(x, y, 2), "blue at " + x + "," + y);
    }

    @Test
    void countsPages() {
        assertEquals(2, ImageLoader.pdfPageCount(pdf));
    }

    @Test
    void rendersLetterPageAt144Dpi() {
        RgbImage img = ImageLoader.load(pdf, ImageLoadOptions.defaults());
        assertEquals(1224, img.width());
        assertEquals(1584, img.height());
        // The rectangle spans x 100..300 pt and y 100..400 pt from the bottom: pixels x 200..600,
        // y (792 - 400) * 2 = 784 .. (792 - 100) * 2 = 1384 from the top.
        assertColour(img, 400, 1084, 255, 0, 0);
        assertColour(img, 210, 800, 255, 0, 0);
        assertColour(img, 590, 1370, 255, 0, 0);
        assertColour(img, 10, 10, 255, 255, 255);               // white page background
        assertColour(img, 190, 1084, 255, 255, 255);            // just left of the rectangle
        assertColour(img, 400, 1400, 255, 255, 255);            // just below it
    }

    @Test
    void dpiScalesTheRender() {
        RgbImage img = ImageLoader.load(pdf, ImageLoadOptions.defaults().withPdfDpi(72));
        assertEquals(612, img.width());
        assertEquals(792, img.height());
        assertColour(img, 200, 542, 255, 0, 0);
    }

    @Test
    void rotatedPageHasSwappedSize() {
        RgbImage img = ImageLoader.load(pdf, ImageLoadOptions.defaults().withPdfPage(2));
        // 300 x 200 pt at 2 px/pt is 600 x 400; /Rotate 90 turns it into 400 x 600.
        assertEquals(400, img.width());
        assertEquals(600, img.height());
        // Rotated clockwise, the left half of the page becomes the top half.
        assertColour(img, 200, 100, 0, 0, 255);
        assertColour(img, 200, 500, 255, 255, 255);
    }

    @Test
    void probeMeasuresWithoutRendering() {
        assertEquals(new ImageInfo(ImageFormat.PDF, 1224, 1584, 1, 2), ImageLoader.probe(pdf));
        assertEquals(new ImageInfo(ImageFormat.PDF, 400, 600, 1, 2),
                ImageLoader.probe(pdf, ImageLoadOptions.defaults().withPdfPage(2)));
    }

    @Test
    void pageOutOfRange() {
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> ImageLoader.load(pdf, ImageLoadOptions.defaults().withPdfPage(3)));
        assertEquals(pdf + ": page 3 does not exist (the PDF has 2 pages)", e.getMessage());
    }

    @Test
    void renderedSizeIsCheckedAgainstTheLimit() {
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> ImageLoader.load(pdf, ImageLoadOptions.defaults().withMaxPixels(1_000_000)));
        assertEquals(pdf + ": page 1 at 144 DPI would be 1224x1584 = 1.9 megapixels exceeds the limit of 1 megapixels"
                + " (raise it with --max-pixels)", e.getMessage());
    }

    @Test
    void pdfIsRecognisedByContent() throws IOException {
        Path disguised = tmp.resolve("scan.png");
        Files.copy(pdf, disguised, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(ImageFormat.PDF, ImageLoader.probe(disguised).format());
    }

    @Test
    void brokenPdfAndNonPdf() throws IOException {
        Path broken = tmp.resolve("broken.pdf");
        Files.write(broken, "%PDF-1.7\nthis is not really a PDF\n".getBytes(StandardCharsets.US_ASCII));
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(broken, ImageLoadOptions.defaults()));
        assertTrue(e.getMessage().startsWith(broken + ": corrupt or unsupported PDF data"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        Path png = ImageLoaderFixturesTest.dir().resolve("png_rgb8.png");
        ImageLoadException e2 = assertThrows(ImageLoadException.class, () -> ImageLoader.pdfPageCount(png));
        assertEquals(png + ": not a PDF file", e2.getMessage());
    }
}
