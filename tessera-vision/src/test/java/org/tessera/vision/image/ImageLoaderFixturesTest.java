package org.tessera.vision.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every fixture written by {@code images/make_fixtures.py} must decode to the pixels Pillow 9.4 gives
 * for {@code Image.open(f).convert('RGB')} (stored next to it in {@code expected/}); with
 * {@code AlphaMode.WHITE}, to Pillow's {@code alpha_composite} over white; and with EXIF orientation on,
 * to {@code ImageOps.exif_transpose}.
 */
class ImageLoaderFixturesTest {

    /** One line of fixtures.tsv. */
    record Fixture(String file, int width, int height, boolean exact, boolean hasWhite, boolean exif, String note) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Path dir() {
        try {
            return Path.of(ImageLoaderFixturesTest.class.getResource("/images/fixtures.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Fixture> fixtures() {
        try {
            List<Fixture> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve("fixtures.tsv"))) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", -1);
                out.add(new Fixture(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3].equals("exact"),
                        f[4].equals("white"), f[5].equals("exif"), f.length > 6 ? f[6] : ""));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Fixture> withAlpha() {
        return fixtures().stream().filter(Fixture::hasWhite).toList();
    }

    private static byte[] expected(Fixture f, String suffix) throws IOException {
        return Files.readAllBytes(dir().resolve("expected").resolve(f.file + suffix));
    }

    @Test
    void manifestCoversEveryFormatAndColourType() {
        // Guards against the generator silently dropping a family of fixtures.
        List<String> names = fixtures().stream().map(Fixture::file).toList();
        for (String must : List.of("png_gray1.png", "png_gray2.png", "png_gray4.png", "png_gray16.png", "png_la8.png",
                "png_la16.png", "png_rgb16.png", "png_rgba16.png", "png_pal1.png", "png_pal4_trns.png",
                "png_rgb8_interlaced.png", "jpeg_progressive.jpg", "jpeg_gray.jpg", "jpeg_cmyk_adobe.jpg",
                "jpeg_cmyk_plain.jpg", "jpeg_ycck.jpg", "bmp_rle8.bmp", "gif_offset_frame.gif", "webp_lossless.webp",
                "webp_lossy.webp", "tiff_rgb_lzw.tif")) {
            assertTrue(names.contains(must), must + " missing from fixtures.tsv");
        }
        assertTrue(names.size() > 90, "expected the full fixture set, got " + names.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesLikePillow(Fixture f) throws IOException {
        ImageLoadOptions opts = ImageLoadOptions.defaults().withExifOrientation(f.exif);
        RgbImage img = ImageLoader.load(dir().resolve(f.file), opts);
        assertEquals(f.width, img.width(), "width");
        assertEquals(f.height, img.height(), "height");
        byte[] want = expected(f, ".rgb");
        if (f.exact) {
            assertPixelsEqual(want, img);
        } else {
            assertClose(want, img.pixels(), f.file);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withAlpha")
    void whiteBackgroundMatchesPillowAlphaComposite(Fixture f) throws IOException {
        ImageLoadOptions opts = ImageLoadOptions.defaults().withAlpha(ImageLoadOptions.AlphaMode.WHITE);
        RgbImage img = ImageLoader.load(dir().resolve(f.file), opts);
        byte[] want = expected(f, ".white.rgb");
        if (f.exact) {
            assertPixelsEqual(want, img);
        } else {
            assertClose(want, img.pixels(), f.file);
        }
    }

    /**
     * Lossy WebP goes through TwelveMonkeys' VP8 decoder, which replicates each chroma sample over its 2x2
     * block where libwebp (and so Pillow) interpolates between neighbouring chroma samples. Luma and the
     * decoded chroma values agree; the difference is that interpolation, which on these smooth fixtures
     * measures a mean of about 2 and a maximum of about 13 levels. The bounds leave a little room and would
     * still catch a broken decode (swapped channels, a lost loop filter or misplaced blocks give means of 20+).
     */
    private static void assertClose(byte[] want, byte[] got, String name) {
        assertEquals(want.length, got.length);
        long sum = 0;
        int max = 0;
        for (int i = 0; i < want.length; i++) {
            int d = Math.abs((want[i] & 0xFF) - (got[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        double mean = (double) sum / want.length;
        assertTrue(mean < 3.0, name + ": mean abs difference " + mean);
        assertTrue(max <= 24, name + ": max abs difference " + max);
    }

    static void assertPixelsEqual(byte[] want, RgbImage img) {
        byte[] got = img.pixels();
        assertEquals(want.length, got.length, "pixel bytes");
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) {
                int px = i / 3;
                fail("first difference at pixel (" + px % img.width() + ", " + px / img.width() + ") channel " + i % 3
                        + ": expected " + (want[i] & 0xFF) + ", got " + (got[i] & 0xFF));
            }
        }
        assertArrayEquals(want, got);
    }

    @Test
    void exifOrientationIsOffByDefault() throws IOException {
        // Pillow's convert('RGB') ignores the tag, so the default must give the stored (unrotated) pixels.
        Fixture plain = fixtures().stream().filter(f -> f.file.equals("exif_orient1.png")).findFirst().orElseThrow();
        for (int o = 1; o <= 8; o++) {
            RgbImage img = ImageLoader.load(dir().resolve("exif_orient" + o + ".png"), ImageLoadOptions.defaults());
            assertEquals(23, img.width());
            assertEquals(14, img.height());
            assertPixelsEqual(expected(plain, ".rgb"), img);
        }
    }

    @Test
    void probeReportsOrientationAndStoredSize() {
        for (int o = 1; o <= 8; o++) {
            ImageInfo info = ImageLoader.probe(dir().resolve("exif_orient" + o + ".png"));
            assertEquals(ImageFormat.PNG, info.format());
            assertEquals(o, info.exifOrientation());
            assertEquals(23, info.width());
            assertEquals(14, info.height());
            assertEquals(o >= 5 ? 14 : 23, info.orientedWidth());
        }
        ImageInfo jpeg = ImageLoader.probe(dir().resolve("exif_orient6.jpg"));
        assertEquals(new ImageInfo(ImageFormat.JPEG, 23, 14, 6, 1), jpeg);
    }

    @Test
    void tiffIsUprightWithOrWithoutTheOption() {
        // Pillow already rotates TIFFs on load; asking for the EXIF orientation must not turn them again.
        for (String f : List.of("tiff_orient2.tif", "tiff_orient6.tif")) {
            RgbImage plain = ImageLoader.load(dir().resolve(f), ImageLoadOptions.defaults());
            RgbImage asked = ImageLoader.load(dir().resolve(f), ImageLoadOptions.defaults().withExifOrientation(true));
            assertEquals(plain.width(), asked.width());
            assertArrayEquals(plain.pixels(), asked.pixels());
        }
        assertEquals(14, ImageLoader.load(dir().resolve("tiff_orient6.tif"), ImageLoadOptions.defaults()).width());
    }

    @Test
    void jpegOrientationRotatesTheDecodedPixels() {
        // Independent of Pillow: rotating clockwise by 90 degrees moves stored (x, y) to (h - 1 - y, x).
        Path f = dir().resolve("exif_orient6.jpg");
        RgbImage stored = ImageLoader.load(f, ImageLoadOptions.defaults());
        RgbImage turned = ImageLoader.load(f, ImageLoadOptions.defaults().withExifOrientation(true));
        assertEquals(stored.height(), turned.width());
        assertEquals(stored.width(), turned.height());
        for (int y = 0; y < stored.height(); y++) {
            for (int x = 0; x < stored.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(stored.get(x, y, c), turned.get(stored.height() - 1 - y, x, c));
                }
            }
        }
    }

    @Test
    void formatIsDetectedFromContentNotName() throws IOException {
        Path tmp = Files.createTempFile("really-a-png", ".jpg");
        try {
            Files.copy(dir().resolve("png_rgb8.png"), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(ImageFormat.PNG, ImageLoader.probe(tmp).format());
            Fixture f = fixtures().stream().filter(x -> x.file.equals("png_rgb8.png")).findFirst().orElseThrow();
            assertPixelsEqual(expected(f, ".rgb"), ImageLoader.load(tmp, ImageLoadOptions.defaults()));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void probeGivesFormatAndSizeForEveryFixture() {
        for (Fixture f : fixtures()) {
            ImageInfo info = ImageLoader.probe(dir().resolve(f.file));
            // The manifest holds the size of Pillow's pixels: rotated for EXIF fixtures and for TIFFs.
            boolean rotated = f.exif || info.format() == ImageFormat.TIFF;
            assertEquals(f.width, rotated ? info.orientedWidth() : info.width(), f.file);
            assertEquals(f.height, rotated ? info.orientedHeight() : info.height(), f.file);
            String ext = f.file.substring(f.file.lastIndexOf('.') + 1);
            ImageFormat want = switch (ext) {
                case "png" -> ImageFormat.PNG;
                case "jpg" -> ImageFormat.JPEG;
                case "gif" -> ImageFormat.GIF;
                case "bmp" -> ImageFormat.BMP;
                case "webp" -> ImageFormat.WEBP;
                case "tif" -> ImageFormat.TIFF;
                default -> throw new IllegalStateException(ext);
            };
            assertEquals(want, info.format(), f.file);
        }
    }

    @Test
    void loadFromMemoryEqualsLoadFromFile() throws IOException {
        Path p = dir().resolve("jpeg_420.jpg");
        RgbImage a = ImageLoader.load(p, ImageLoadOptions.defaults());
        RgbImage b = ImageLoader.load(Files.readAllBytes(p), "data-url", ImageLoadOptions.defaults());
        assertArrayEquals(a.pixels(), b.pixels());
    }
}
