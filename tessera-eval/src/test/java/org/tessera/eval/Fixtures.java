package org.tessera.eval;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small synthetic benchmark files for the tests. */
public final class Fixtures {
    private Fixtures() {}

    /** A w × h PNG with a gradient and stripes; {@code seed} varies it. */
    public static byte[] png(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + seed * 40) & 0xFF, g = y * 255 / h, b = ((x / 7 + y / 5 + seed) % 2) * 200;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String base64Png(int w, int h, int seed) {
        return Base64.getEncoder().encodeToString(png(w, h, seed));
    }

    /** Writes rows (the first is the header) as a TSV file; cells are written as given (no quoting). */
    public static Path tsv(Path file, String[]... rows) {
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) b.append(String.join("\t", r)).append('\n');
        return write(file, b.toString());
    }

    public static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
