package org.tessera.vision.resample;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.tessera.core.Parallel;
import org.tessera.vision.image.RgbImage;

/**
 * Java side of bench/resample/run.sh (not a unit test): times PillowResize on the shapes of InternVL's tiling of a
 * 4K frame, with the pool's default threads and with one, and checks each result against Pillow's saved output.
 *
 * <p>usage: PillowResizeBench DIR [REPEATS], where DIR holds source.png and pillow_WxH_FILTER.png from pillow_resize.py.
 */
public final class PillowResizeBench {
    private PillowResizeBench() {}

    public static void main(String[] args) throws IOException {
        File dir = new File(args[0]);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        RgbImage src = read(new File(dir, "source.png"));
        Object[][] shapes = {{1792, 896, Filter.BICUBIC}, {448, 448, Filter.BICUBIC}, {1344, 896, Filter.BILINEAR}};
        int threads = Parallel.threads();
        for (Object[] s : shapes) {
            int w = (Integer) s[0];
            int h = (Integer) s[1];
            Filter f = (Filter) s[2];
            RgbImage expected = read(new File(dir, "pillow_" + w + "x" + h + "_" + f + ".png"));
            String diff = Png.diff(expected, PillowResize.resize(src, w, h, f));
            for (int t : new int[] {threads, 1}) {
                Parallel.setThreads(t);
                for (int i = 0; i < 15; i++) PillowResize.resize(src, w, h, f);  // JIT warm-up
                double[] ms = new double[repeats];
                for (int i = 0; i < repeats; i++) {
                    long t0 = System.nanoTime();
                    PillowResize.resize(src, w, h, f);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("tessera %d thread%s   %dx%d -> %4dx%-4d %-8s min %7.2f ms  median %7.2f ms  %s%n",
                        t, t == 1 ? " " : "s", src.width(), src.height(), w, h, f, ms[0], ms[repeats / 2],
                        diff.isEmpty() ? "identical to Pillow" : "DIFFERS: " + diff);
            }
            Parallel.setThreads(threads);
        }
    }

    private static RgbImage read(File f) throws IOException {
        BufferedImage img = ImageIO.read(f);
        int w = img.getWidth();
        int h = img.getHeight();
        int[] s = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
        if (s.length != w * h * 3) throw new IOException(f + ": expected 8-bit RGB");
        byte[] px = new byte[s.length];
        for (int i = 0; i < s.length; i++) px[i] = (byte) s[i];
        return new RgbImage(w, h, px);
    }
}
