package org.tessera.vision.resample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.tessera.core.Parallel;
import org.tessera.vision.image.RgbImage;

class PillowResizeTest {
    private static RgbImage noise(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    @Test
    void unchangedSizeIsACopy() {
        RgbImage src = noise(13, 7, 1);
        RgbImage out = PillowResize.resize(src, 13, 7, Filter.BICUBIC);
        assertNotSame(src.pixels(), out.pixels());
        assertArrayEquals(src.pixels(), out.pixels());
    }

    @Test
    void constantImageStaysConstant() {
        // Weights are normalised per output sample, so a flat colour survives any scale, borders included.
        RgbImage flat = RgbImage.filled(301, 97, 200, 3, 255);
        for (Filter f : Filter.values()) {
            for (int[] size : new int[][] {{448, 448}, {17, 5}, {1, 1}, {1200, 97}, {301, 1000}}) {
                RgbImage out = PillowResize.resize(flat, size[0], size[1], f);
                for (int i = 0; i < out.pixels().length; i += 3) {
                    assertEquals(200, out.pixels()[i] & 0xFF);
                    assertEquals(3, out.pixels()[i + 1] & 0xFF);
                    assertEquals(255, out.pixels()[i + 2] & 0xFF);
                }
            }
        }
    }

    @Test
    void transposeIsExactOnRaggedShapes() {
        Random rnd = new Random(3);
        for (int[] rc : new int[][] {{8, 8}, {8, 19}, {13, 8}, {17, 29}, {1, 40}, {40, 1}, {3, 5}}) {
            int rows = rc[0], cols = rc[1];
            byte[] a = new byte[rows * (cols + 3) + 2];
            rnd.nextBytes(a);
            byte[] b = new byte[cols * (rows + 5) + 1];
            VectorKernels.transpose(a, 2, cols + 3, rows, cols, b, 1, rows + 5);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(a[2 + r * (cols + 3) + c], b[1 + c * (rows + 5) + r], rows + "x" + cols + " at " + r + "," + c);
                }
            }
        }
    }

    @Test
    void rejectsBadSizes() {
        RgbImage src = noise(4, 4, 2);
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(src, 0, 4, Filter.BICUBIC));
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(src, 4, -1, Filter.BILINEAR));
        assertThrows(NullPointerException.class, () -> PillowResize.resize(src, 4, 4, null));
    }

    @Test
    void kernelWeightsSumToOneInFixedPoint() {
        // Rounding each weight separately can leave the sum a few units off 1 << 22; it must stay tiny.
        for (Filter f : Filter.values()) {
            for (int[] io : new int[][] {{3840, 448}, {2160, 896}, {37, 100}, {1, 50}, {50, 1}}) {
                PillowResize.Kernel k = PillowResize.Kernel.of(io[0], io[1], f);
                for (int i = 0; i < io[1]; i++) {
                    long sum = 0;
                    for (int t = 0; t < k.count[i]; t++) sum += k.weights[i * k.stride + t];
                    assertTrue(Math.abs(sum - (1 << PillowResize.PRECISION_BITS)) <= k.count[i], f + " " + io[0] + "->" + io[1] + " @" + i + ": " + sum);
                    assertTrue(k.start[i] >= 0 && k.start[i] + k.count[i] <= io[0]);
                }
            }
        }
    }

    /**
     * Both kernel sets (8-row transposed strips, ring of intermediate rows, per-thread blocks) against the plain port
     * of Pillow's loops, on sizes chosen to hit partial strips, ring wrap-around and ragged transpose edges, with 1,
     * 2 and 3 threads so the blocks' ring restarts land in different places.
     */
    @Test
    void kernelsMatchThePlainPort() {
        Random rnd = new Random(42);
        int[][] shapes = {
            {3840, 64, 448, 7}, {1000, 257, 333, 29}, {9, 300, 31, 11}, {64, 17, 8, 64}, {61, 61, 300, 200},
            {17, 3, 5, 40}, {1, 90, 7, 9}, {90, 1, 9, 7}, {250, 100, 896, 448}, {31, 1200, 31, 37}, {800, 9, 803, 9},
            {1500, 70, 1500, 33}, {700, 300, 1100, 300}, {5, 5, 3, 2},
        };
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int[] s : shapes) {
                    RgbImage src = noise(s[0], s[1], rnd.nextLong());
                    for (Filter f : Filter.values()) {
                        RgbImage expected = PillowReference.resize(src, s[2], s[3], f);
                        String what = threads + " threads, " + s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3] + " " + f;
                        assertEquals("", Png.diff(expected, PillowResize.resize(src, s[2], s[3], f, true)), "vector, " + what);
                        assertEquals("", Png.diff(expected, PillowResize.resize(src, s[2], s[3], f, false)), "scalar, " + what);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
