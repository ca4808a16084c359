package org.tessera.vision.resample;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.tessera.core.Parallel;
import org.tessera.vision.image.RgbImage;

/**
 * Java side of bench/resample/run.sh (not a unit test): PillowResize on the shapes of InternVL's tiling of a 4K
 * frame, each result checked against Pillow's saved output.
 *
 * <p>usage: PillowResizeBench DIR REPEATS steady|cold, where DIR holds source.png and pillow_WxH_FILTER.png from
 * pillow_resize.py. {@code steady} times each kernel set after a JIT warm-up, with the pool's threads and with one;
 * {@code cold} times the first calls of a fresh JVM through the public entry point (what a one-off run sees).
 */
public final class PillowResizeBench {
    private static final Object[][] SHAPES = {{1792, 896, Filter.BICUBIC}, {448, 448, Filter.BICUBIC}, {1344, 896, Filter.BILINEAR}};

    private PillowResizeBench() {}

    public static void main(String[] args) throws IOException {
        File dir = new File(args[0]);
        int repeats = Integer.parseInt(args[1]);
        boolean cold = args[2].equals("cold");
        long t0 = System.nanoTime();
        RgbImage src = read(new File(dir, "source.png"));
        if (cold) {
            System.out.printf("tessera cold JVM: source PNG decoded in %.0f ms (not counted below)%n", (System.nanoTime() - t0) / 1e6);
            for (int call = 1; call <= 3; call++) {
                for (Object[] s : SHAPES) {
                    long t = System.nanoTime();
                    PillowResize.resize(src, (Integer) s[0], (Integer) s[1], (Filter) s[2]);
                    System.out.printf("tessera cold JVM call %d  %dx%d -> %4dx%-4d %-8s %7.1f ms%n",
                            call, src.width(), src.height(), s[0], s[1], s[2], (System.nanoTime() - t) / 1e6);
                }
            }
            return;
        }
        int threads = Parallel.threads();
        for (Object[] s : SHAPES) {
            int w = (Integer) s[0];
            int h = (Integer) s[1];
            Filter f = (Filter) s[2];
            RgbImage expected = read(new File(dir, "pillow_" + w + "x" + h + "_" + f + ".png"));
            for (boolean vector : new boolean[] {true, false}) {
                String diff = Png.diff(expected, PillowResize.resize(src, w, h, f, vector));
                for (int t : new int[] {threads, 1}) {
                    Parallel.setThreads(t);
                    for (int i = 0; i < 20; i++) PillowResize.resize(src, w, h, f, vector);  // JIT warm-up
                    double[] ms = new double[repeats];
                    for (int i = 0; i < repeats; i++) {
                        long t1 = System.nanoTime();
                        PillowResize.resize(src, w, h, f, vector);
                        ms[i] = (System.nanoTime() - t1) / 1e6;
                    }
                    Arrays.sort(ms);
                    System.out.printf("tessera %-6s %d thread%s %dx%d -> %4dx%-4d %-8s min %7.2f ms  median %7.2f ms  %s%n",
                            vector ? "vector" : "scalar", t, t == 1 ? " " : "s", src.width(), src.height(), w, h, f,
                            ms[0], ms[repeats / 2], diff.isEmpty() ? "identical to Pillow" : "DIFFERS: " + diff);
                }
                Parallel.setThreads(threads);
            }
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
