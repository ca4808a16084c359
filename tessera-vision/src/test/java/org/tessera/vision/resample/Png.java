package org.tessera.vision.resample;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

import org.tessera.vision.image.RgbImage;

/** Reads the test PNGs (8-bit RGB or RGBA, as Pillow writes them) into RgbImage, dropping alpha like Pillow's convert('RGB'). */
public final class Png {
    private Png() {}

    public static RgbImage resource(String name) {
        try (InputStream in = Png.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            BufferedImage img = ImageIO.read(in);
            if (img == null) throw new IllegalStateException("not an image: " + name);
            return toRgb(img, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RgbImage toRgb(BufferedImage img, String name) {
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        // Indexed or 16-bit PNGs would need Pillow's own conversion rules; the fixtures are never written that way.
        if (!(img.getColorModel() instanceof ComponentColorModel) || (bands != 3 && bands != 4)
                || img.getColorModel().getComponentSize(0) != 8) {
            throw new IllegalStateException(name + ": expected an 8-bit RGB/RGBA PNG, got " + img);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
        byte[] px = new byte[w * h * 3];
        for (int i = 0, j = 0; i < px.length; i += 3, j += bands) {
            px[i] = (byte) samples[j];
            px[i + 1] = (byte) samples[j + 1];
            px[i + 2] = (byte) samples[j + 2];
        }
        return new RgbImage(w, h, px);
    }

    /** Empty when identical, else a one-line account of where and by how much the images differ. */
    public static String diff(RgbImage expected, RgbImage actual) {
        if (expected.width() != actual.width() || expected.height() != actual.height()) {
            return "size " + actual.width() + "x" + actual.height() + " != " + expected.width() + "x" + expected.height();
        }
        byte[] e = expected.pixels();
        byte[] a = actual.pixels();
        int count = 0;
        int max = 0;
        int first = -1;
        for (int i = 0; i < e.length; i++) {
            int d = Math.abs((e[i] & 0xFF) - (a[i] & 0xFF));
            if (d != 0) {
                if (first < 0) first = i;
                count++;
                max = Math.max(max, d);
            }
        }
        if (count == 0) return "";
        int px = first / 3;
        return count + " of " + e.length + " samples differ (max " + max + "), first at x=" + px % expected.width()
                + " y=" + px / expected.width() + " channel " + first % 3 + ": expected " + (e[first] & 0xFF)
                + ", got " + (a[first] & 0xFF);
    }
}
