package org.tessera.vision.image;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every way a file can be unusable ends in an {@link ImageLoadException} whose message is one line,
 * starts with the file's name and says why; oversized images are refused from their header, before
 * pixel memory is allocated.
 */
class ImageLoaderErrorsTest {
    @TempDir
    static Path tmp;

    static final ImageLoadOptions DEFAULTS = ImageLoadOptions.defaults();

    static Path fixture(String name) {
        return ImageLoaderFixturesTest.dir().resolve(name);
    }

    static byte[] fixtureBytes(String name) throws IOException {
        return Files.readAllBytes(fixture(name));
    }

    static Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    /** Runs the failing call and returns its message after checking the shape every message must have. */
    static String failure(Path file, Executable call) {
        ImageLoadException e = assertThrows(ImageLoadException.class, call);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "message must be one line: " + m);
        assertTrue(m.startsWith(file.toString() + ": "), "message must start with the file name: " + m);
        assertTrue(m.length() > file.toString().length() + 8, "message must give a reason: " + m);
        return m.substring(file.toString().length() + 2);
    }

    static String loadFailure(Path file) {
        return failure(file, () -> ImageLoader.load(file, DEFAULTS));
    }

    @BeforeAll
    static void warmUp() throws IOException {
        // Class loading and ImageIO's plugin scan allocate megabytes once; keep that out of the
        // allocation measurements below.
        for (String f : new String[] {"png_rgb8.png", "jpeg_420.jpg", "gif_basic.gif", "bmp_rgb24.bmp",
                "webp_lossless.webp", "tiff_rgb.tif"}) {
            ImageLoader.load(fixture(f), DEFAULTS);
        }
    }

    @Test
    void emptyFile() throws IOException {
        Path p = write("empty.png", new byte[0]);
        assertEquals("empty file", loadFailure(p));
        assertEquals("empty file", failure(p, () -> ImageLoader.probe(p)));
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("nowhere.jpg");
        assertEquals("no such file", loadFailure(p));
    }

    @Test
    void directory() throws IOException {
        Path p = Files.createDirectories(tmp.resolve("photos.png"));
        assertEquals("is a directory, not an image file", loadFailure(p));
    }

    @Test
    void unreadableFile() throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path p = write("secret.png", fixtureBytes("png_rgb8.png"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        // root reads any file regardless of its permissions, so the case only exists for other users.
        assumeFalse(Files.isReadable(p), "running as a user that can read anything (root)");
        assertEquals("permission denied", loadFailure(p));
    }

    @Test
    void textFileAndSvgAndRandomBytesAreNotImages() throws IOException {
        String want = "not a supported image format (PNG, JPEG, BMP, GIF, WebP, TIFF, PDF)";
        assertEquals(want, loadFailure(write("notes.txt", "Meeting notes\nBM is not a bitmap\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals(want, loadFailure(write("logo.svg",
                "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"
                        .getBytes(StandardCharsets.UTF_8))));
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        noise[0] = 0x17;       // make sure no signature happens to match
        assertEquals(want, loadFailure(write("noise.bin", noise)));
        // A name that looks like an image changes nothing.
        assertEquals(want, loadFailure(write("fake.jpg", "hello".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] d = fixtureBytes("png_rgb8.png");
        Path p = write("scan.png", Arrays.copyOf(d, d.length * 2 / 3));
        String m = loadFailure(p);
        assertTrue(m.startsWith("truncated or corrupt PNG data"), m);
        // Cut inside the header: a different place, still a clear reason.
        Path h = write("stub.png", Arrays.copyOf(d, 20));
        assertTrue(loadFailure(h).startsWith("truncated PNG data"));
    }

    @Test
    void pngWithBadChecksum() throws IOException {
        byte[] d = fixtureBytes("png_rgb8.png");
        d[20] ^= 0x01;        // inside IHDR's width field: the chunk CRC no longer matches
        assertEquals("corrupt PNG data (bad checksum in IHDR chunk)", loadFailure(write("crc.png", d)));
    }

    @Test
    void truncatedJpegs() throws IOException {
        for (String f : new String[] {"jpeg_420.jpg", "jpeg_progressive.jpg", "jpeg_restart.jpg"}) {
            byte[] d = fixtureBytes(f);
            Path p = write("cut-" + f, Arrays.copyOf(d, d.length * 3 / 4));
            // Depending on where the cut falls: inside a scan, or between the scans of a progressive file.
            String m = loadFailure(p);
            assertTrue(m.equals("truncated JPEG data (image data ends early)")
                    || m.startsWith("truncated JPEG data (file ends"), f + ": " + m);
        }
        // EOI glued onto a cut scan (what some repair tools do) is still an incomplete image.
        byte[] d = fixtureBytes("jpeg_420.jpg");
        byte[] glued = Arrays.copyOf(d, d.length * 3 / 4 + 2);
        glued[glued.length - 2] = (byte) 0xFF;
        glued[glued.length - 1] = (byte) 0xD9;
        assertTrue(loadFailure(write("glued.jpg", glued)).startsWith("corrupt JPEG data (image data ends early"));
    }

    @Test
    void jpegWithoutEoiButCompleteStillLoads() throws IOException {
        // Pillow accepts a sequential JPEG whose data is complete but whose EOI marker is missing.
        byte[] d = fixtureBytes("jpeg_420.jpg");
        RgbImage full = ImageLoader.load(d, "full", DEFAULTS);
        RgbImage cut = ImageLoader.load(Arrays.copyOf(d, d.length - 2), "no-eoi", DEFAULTS);
        assertTrue(Arrays.equals(full.pixels(), cut.pixels()));
    }

    @Test
    void truncatedOtherFormats() throws IOException {
        for (String f : new String[] {"gif_basic.gif", "bmp_rgb24.bmp", "bmp_rle8.bmp", "webp_lossless.webp",
                "webp_lossy.webp", "tiff_rgb.tif", "tiff_rgb_lzw.tif"}) {
            byte[] d = fixtureBytes(f);
            Path p = write("cut-" + f, Arrays.copyOf(d, d.length / 2));
            String m = loadFailure(p);
            assertTrue(m.startsWith("truncated"), f + ": " + m);
        }
    }

    @Test
    void dataUrlNameAppearsInMessages() {
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> ImageLoader.load(new byte[] {1, 2, 3}, "upload.png", DEFAULTS));
        assertTrue(e.getMessage().startsWith("upload.png: not a supported image format"), e.getMessage());
        ImageLoadException e2 = assertThrows(ImageLoadException.class,
                () -> ImageLoader.load(new byte[] {1, 2, 3}, "two\nlines", DEFAULTS));
        assertFalse(e2.getMessage().contains("\n"));
    }

    // ---------------------------------------------------------------------------------------------
    // Pixel limits: headers that claim huge sizes in tiny files must be refused before allocation.

    static byte[] pngClaiming(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        out.writeBytes(t);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Loads and fails, checking the message and that almost nothing was allocated (the image would need gigabytes). */
    static String refusedCheaply(Path p, ImageLoadOptions opts) {
        long before = allocatedBytes();
        long t0 = System.nanoTime();
        String m = failure(p, () -> ImageLoader.load(p, opts));
        long allocated = allocatedBytes() - before;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes before refusing: " + m);
        assertTrue(ms < 2000, "took " + ms + " ms to refuse");
        return m;
    }

    @Test
    void pngClaimingHugeSizeFailsFast() throws IOException {
        Path p = write("big.png", pngClaiming(20000, 20000));
        assertTrue(Files.size(p) < 100);
        assertEquals("20000x20000 = 400 megapixels exceeds the limit of 100 megapixels (raise it with --max-pixels)",
                refusedCheaply(p, DEFAULTS));
        // probe only reads the header and reports the claim.
        ImageInfo info = ImageLoader.probe(p);
        assertEquals(20000, info.width());
        assertEquals(20000, info.height());
    }

    @Test
    void limitIsConfigurableAndExact() throws IOException {
        Path p = write("small.png", fixtureBytes("png_rgb8.png"));     // 37 x 29 = 1073 pixels
        assertEquals("37x29 = 1073 pixels exceeds the limit of 1072 pixels (raise it with --max-pixels)",
                refusedCheaply(p, DEFAULTS.withMaxPixels(1072)));
        assertEquals(37, ImageLoader.load(p, DEFAULTS.withMaxPixels(1073)).width());
    }

    @Test
    void rgbArrayOverflowIsGuardedEvenWithoutALimit() throws IOException {
        // 50000 x 50000 x 3 bytes does not fit in a Java array: refuse instead of overflowing an int.
        Path p = write("vast.png", pngClaiming(50000, 50000));
        String m = refusedCheaply(p, DEFAULTS.withMaxPixels(Long.MAX_VALUE));
        assertTrue(m.startsWith("50000x50000 is too large to hold as one RGB array"), m);
    }

    @Test
    void otherFormatsClaimingHugeSizesFailFast() throws IOException {
        // JPEG: patch the SOF0 frame header to 65535 x 65535.
        byte[] jpg = fixtureBytes("jpeg_420.jpg");
        for (int i = 2; i + 9 < jpg.length; i++) {
            if ((jpg[i] & 0xFF) == 0xFF && (jpg[i + 1] & 0xFF) == 0xC0) {
                jpg[i + 5] = jpg[i + 6] = jpg[i + 7] = jpg[i + 8] = (byte) 0xFF;
                break;
            }
        }
        String m = refusedCheaply(write("big.jpg", jpg), DEFAULTS);
        assertTrue(m.startsWith("65535x65535 = 4294.8 megapixels exceeds the limit of 100 megapixels"), m);
        // GIF: logical screen 65535 x 65535.
        byte[] gif = fixtureBytes("gif_basic.gif");
        gif[6] = gif[7] = gif[8] = gif[9] = (byte) 0xFF;
        assertTrue(refusedCheaply(write("big.gif", gif), DEFAULTS).startsWith("65535x65535 = "));
        // BMP: 100000 x 100000 in the info header.
        byte[] bmp = fixtureBytes("bmp_rgb24.bmp");
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 100000).putInt(22, 100000);
        assertTrue(refusedCheaply(write("big.bmp", bmp), DEFAULTS).startsWith("100000x100000 = 10000 megapixels"));
        // WebP: an extended (VP8X) header with a 16384 x 16384 canvas in front of a small lossless image.
        byte[] webp = fixtureBytes("webp_lossless.webp");
        byte[] vp8l = Arrays.copyOfRange(webp, 12, webp.length);
        ByteBuffer bb = ByteBuffer.allocate(12 + 18 + vp8l.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 18 + vp8l.length).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        bb.put("VP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
        int side = 16384 - 1;
        bb.put((byte) side).put((byte) (side >> 8)).put((byte) (side >> 16));
        bb.put((byte) side).put((byte) (side >> 8)).put((byte) (side >> 16));
        bb.put(vp8l);
        assertTrue(refusedCheaply(write("big.webp", bb.array()), DEFAULTS).startsWith("16384x16384 = 268.4 megapixels"));
        // TIFF: ImageWidth and ImageLength raised to 70000 in the first directory.
        byte[] tif = fixtureBytes("tiff_rgb.tif");
        patchTiffSize(tif, 70000);
        assertTrue(refusedCheaply(write("big.tif", tif), DEFAULTS).startsWith("70000x70000 = 4900 megapixels"));
    }

    /** Rewrites tags 256/257 of the first directory of a little-endian TIFF as LONG values. */
    static void patchTiffSize(byte[] tif, int size) {
        ByteBuffer b = ByteBuffer.wrap(tif).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('I', tif[0]);
        int ifd = b.getInt(4);
        int n = b.getShort(ifd) & 0xFFFF;
        for (int i = 0; i < n; i++) {
            int e = ifd + 2 + 12 * i;
            int tag = b.getShort(e) & 0xFFFF;
            if (tag == 256 || tag == 257) {
                b.putShort(e + 2, (short) 4).putInt(e + 4, 1).putInt(e + 8, size);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Damaged files of every kind: whatever happens inside a decoder or plugin, the caller sees
    // a one-line ImageLoadException (or a successful decode), never a raw exception.

    @Test
    void damagedFilesNeverThrowRawExceptions() throws IOException {
        Random rnd = new Random(20240611);
        int failures = 0, total = 0;
        for (ImageLoaderFixturesTest.Fixture f : ImageLoaderFixturesTest.fixtures()) {
            byte[] d = fixtureBytes(f.file());
            for (int i = 0; i < 8; i++) {
                byte[] m = d.clone();
                int flips = 1 + rnd.nextInt(6);
                for (int k = 0; k < flips; k++) m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                if (rnd.nextBoolean()) m = Arrays.copyOf(m, rnd.nextInt(m.length));
                ImageLoadOptions opts = i % 2 == 0 ? DEFAULTS : DEFAULTS.withAlpha(ImageLoadOptions.AlphaMode.WHITE).withExifOrientation(true);
                total++;
                try {
                    RgbImage img = ImageLoader.load(m, f.file(), opts);
                    assertEquals((long) img.width() * img.height() * 3, img.pixels().length);
                } catch (ImageLoadException e) {
                    failures++;
                    assertTrue(e.getMessage().startsWith(f.file() + ": "), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                }
            }
        }
        // Most damage must be noticed (the rest hits pixel bytes, which no format protects).
        assertTrue(failures > total / 3, failures + " of " + total + " damaged files refused");
    }
}
