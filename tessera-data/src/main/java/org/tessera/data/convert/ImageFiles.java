package org.tessera.data.convert;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.tessera.data.AtomicFiles;
import org.tessera.vision.image.ImageFormat;
import org.tessera.vision.image.ImageInfo;
import org.tessera.vision.image.ImageLoadException;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.PlanOverlay;

/**
 * The images of a conversion: input paths resolved against {@code --images}, their sizes (read from the headers,
 * once per file), and the images the conversion makes (drawn boxes, canvases), each written atomically under the
 * output's {@code images/} directory.
 */
final class ImageFiles {
    /** The sizes the trainer sees: width and height after Pillow's {@code convert('RGB')}. */
    record Size(int width, int height) {}

    private final Path root;
    private final Path outDir;
    private final String extension;
    private final Map<Path, Size> sizes = new ConcurrentHashMap<>();

    ImageFiles(Path root, Path outDir, String extension) {
        this.root = root;
        this.outDir = outDir;
        this.extension = extension;
    }

    /** The file an input path names: relative paths are under {@code --images}. */
    Path resolve(String path) {
        return root.resolve(path);
    }

    /** The path as it goes into the JSONL: as given, with {@code /} separators. */
    static String portable(String path) {
        return path.replace('\\', '/');
    }

    /**
     * Width and height of the image at {@code path} (relative to {@code --images}) from its header. A missing file,
     * an unreadable one, or one the trainer cannot open (PDF) is a bad row.
     */
    Size size(String place, String path) {
        Path file = resolve(path);
        Size s = sizes.get(file);
        if (s != null) return s;
        if (!Files.isRegularFile(file)) throw new BadRow(place, "image " + path + " not found (looked for " + file + ")");
        ImageInfo info;
        try {
            info = ImageLoader.probe(file);
        } catch (ImageLoadException e) {
            throw new BadRow(place, e.getMessage());
        }
        if (info.format() == ImageFormat.PDF) throw new BadRow(place, path + " is a PDF; the trainer reads image files only");
        // Pillow's TIFF plugin applies the Orientation tag on load; elsewhere the stored size is what Pillow reports.
        s = info.format() == ImageFormat.TIFF ? new Size(info.orientedWidth(), info.orientedHeight()) : new Size(info.width(), info.height());
        sizes.put(file, s);
        return s;
    }

    /** Decodes the image at {@code path}; failures are bad rows. */
    RgbImage load(String place, String path) {
        Path file = resolve(path);
        if (!Files.isRegularFile(file)) throw new BadRow(place, "image " + path + " not found (looked for " + file + ")");
        try {
            return ImageLoader.load(file, ImageLoadOptions.defaults());
        } catch (ImageLoadException e) {
            throw new BadRow(place, e.getMessage());
        }
    }

    /** Writes a made image as {@code images/NAME.EXT} in the output, atomically; returns its path relative to it. */
    String write(String name, RgbImage img) {
        String rel = "images/" + name + "." + extension;
        Path target = outDir.resolve(rel);
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        BufferedImage bi = PlanOverlay.toBufferedImage(img);
        AtomicFiles.write(target, out -> encode(bi, extension, out));
        sizes.put(target, new Size(img.width(), img.height()));
        return rel;
    }

    /** PNG, or JPEG at quality 0.95. */
    static void encode(BufferedImage bi, String ext, java.io.OutputStream out) throws IOException {
        if (ext.equals("png")) {
            if (!ImageIO.write(bi, "png", out)) throw new IOException("no PNG writer");
            return;
        }
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) throw new IOException("no JPEG writer");
        ImageWriter w = it.next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            w.write(null, new IIOImage(bi, null, null), p);
        } finally {
            w.dispose();
        }
    }

    /** {@code png} or {@code jpg}. */
    static String extension(String s) {
        String e = s.toLowerCase(Locale.ROOT);
        if (e.equals("jpeg")) e = "jpg";
        if (!e.equals("png") && !e.equals("jpg")) throw new IllegalArgumentException("--image-format must be png or jpg, got '" + s + "'");
        return e;
    }
}
