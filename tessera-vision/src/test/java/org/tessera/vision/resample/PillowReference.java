package org.tessera.vision.resample;

import org.tessera.vision.image.RgbImage;

/**
 * Pillow 9.4's resize written as directly as its C loops (ImagingResampleInner with the 8bpc horizontal and vertical
 * passes, a full intermediate image, one sample at a time) on top of PillowResize's weight tables. Slow, obvious,
 * and the yardstick for the fast kernels on shapes no fixture covers.
 */
final class PillowReference {
    private PillowReference() {}

    static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        int inW = src.width();
        int inH = src.height();
        if (width == inW && height == inH) return new RgbImage(width, height, src.pixels().clone());
        byte[] img = src.pixels();
        int w = inW;
        int h = inH;
        PillowResize.Kernel ky = PillowResize.Kernel.of(inH, height, filter);
        int first = 0;
        if (width != inW) {
            PillowResize.Kernel kx = PillowResize.Kernel.of(inW, width, filter);
            // Pillow runs the horizontal pass only over the rows the vertical pass reads (all of them if it is skipped).
            int last = inH;
            if (height != inH) {
                first = ky.start[0];
                last = ky.start[height - 1] + ky.count[height - 1];
            }
            byte[] tmp = new byte[width * (last - first) * 3];
            for (int y = first; y < last; y++) {
                for (int xx = 0; xx < width; xx++) {
                    for (int c = 0; c < 3; c++) {
                        int ss = 1 << (PillowResize.PRECISION_BITS - 1);
                        for (int t = 0; t < kx.count[xx]; t++) {
                            ss += (img[(y * inW + kx.start[xx] + t) * 3 + c] & 0xFF) * kx.weights[xx * kx.stride + t];
                        }
                        tmp[((y - first) * width + xx) * 3 + c] = clip8(ss);
                    }
                }
            }
            img = tmp;
            w = width;
            h = last - first;
        }
        if (height != inH) {
            byte[] out = new byte[w * height * 3];
            for (int yy = 0; yy < height; yy++) {
                for (int i = 0; i < w * 3; i++) {
                    int ss = 1 << (PillowResize.PRECISION_BITS - 1);
                    for (int t = 0; t < ky.count[yy]; t++) {
                        ss += (img[(ky.start[yy] - first + t) * w * 3 + i] & 0xFF) * ky.weights[yy * ky.stride + t];
                    }
                    out[yy * w * 3 + i] = clip8(ss);
                }
            }
            img = out;
            h = height;
        }
        return new RgbImage(w, h, img);
    }

    private static byte clip8(int ss) {
        int v = ss >> PillowResize.PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
