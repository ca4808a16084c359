package org.tessera.vision.resample;

import java.util.Objects;

import org.tessera.core.Parallel;
import org.tessera.vision.image.RgbImage;

/**
 * Pillow 9.4's {@code Image.resize((width, height), resample)} on an RGB image, bit for bit.
 *
 * <p>Pillow resamples with a separable, antialiasing convolution: the filter's support is widened by the
 * scale factor when shrinking, the weights of each output sample are computed in double and normalised to
 * sum to one, then turned into 22-bit fixed point; every pass accumulates in 32-bit integers, rounds by
 * adding a half before the shift and clips to 0..255. The horizontal pass runs first, over only the source
 * rows the vertical pass will read, and its 8-bit result feeds the vertical pass; a pass whose dimension does
 * not change is skipped, and an unchanged size is a plain copy. Reproducing those steps in the same order,
 * with the same double expressions for the weights, gives identical bytes (Java's strict IEEE doubles match
 * Pillow's x86-64 build, which has no FMA contraction in its baseline instruction set).
 *
 * <p>Speed: weight tables are built once per axis and work is split over blocks of output rows on
 * {@link Parallel}. The passes are fused per block through a small ring of intermediate rows, so the
 * intermediate image is never materialised. Two kernel sets give identical bytes: {@link VectorKernels}, used by
 * default, and scalar ones that follow Pillow's loops (used where 256-bit vectors are missing, for row tails, and
 * with {@code -Dtessera.resample.kernels=scalar}). Like all Vector API code the vector kernels are slow until C2
 * has compiled them: the first 4K resize in a fresh JVM takes on the order of a second, later ones milliseconds.
 * Scalar kernels would make that first call about 5x faster and every later one about 4x slower; callers that
 * time resizes should warm up first.
 */
public final class PillowResize {
    /** Pillow's {@code PRECISION_BITS}: 8 bits of result, 2 of headroom for negative lobes and overshoot. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    /** Pillow starts every sum at one half so that the final shift rounds to nearest. */
    static final int HALF = 1 << (PRECISION_BITS - 1);

    /** Default kernel set: the vector kernels wherever the CPU has 256-bit vectors, unless the property says scalar. */
    private static final boolean VECTOR = VectorKernels.SUPPORTED
            && !"scalar".equals(System.getProperty("tessera.resample.kernels"));

    private PillowResize() {}

    /**
     * Resizes {@code src} to {@code width} x {@code height} exactly as Pillow 9.4's {@code Image.resize} does for
     * an RGB image with the given filter (default box, no {@code reducing_gap}). Returns a new image; an unchanged
     * size gives a copy.
     */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        return resize(src, width, height, filter, VECTOR);
    }

    /** As {@link #resize(RgbImage, int, int, Filter)} with the kernels chosen by the caller (tests run both). */
    static RgbImage resize(RgbImage src, int width, int height, Filter filter, boolean vector) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(filter, "filter");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("target size too large: " + width + "x" + height);
        }
        int inW = src.width();
        int inH = src.height();
        if (width == inW && height == inH) {
            return new RgbImage(width, height, src.pixels().clone());
        }
        byte[] out = new byte[width * height * 3];
        Passes p = new Passes(src.pixels(), inW, out, width,
                width != inW ? Kernel.of(inW, width, filter) : null,
                height != inH ? Kernel.of(inH, height, filter) : null,
                vector && VectorKernels.SUPPORTED);
        Parallel.forBlocks(height, p::run);
        return new RgbImage(width, height, out);
    }

    /**
     * One axis's resampling plan, Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}:
     * output sample {@code i} is the weighted sum of input samples {@code start[i] .. start[i] + count[i] - 1}
     * with fixed-point weights {@code weights[i * stride + t]}.
     */
    static final class Kernel {
        final int stride;
        final int[] start;
        final int[] count;
        final int[] weights;
        final int maxCount;

        private Kernel(int stride, int[] start, int[] count, int[] weights) {
            this.stride = stride;
            this.start = start;
            this.count = count;
            this.weights = weights;
            int m = 0;
            for (int c : count) m = Math.max(m, c);
            this.maxCount = m;
        }

        static Kernel of(int inSize, int outSize, Filter filter) {
            double baseSupport = switch (filter) {
                case BILINEAR -> 1.0;
                case BICUBIC -> 2.0;
            };
            // Pillow receives the box (0, 0, w, h) as C floats and subtracts them as floats before widening;
            // exact for any size an int array can hold, kept in this form so the expression matches.
            double scale = (double) ((float) inSize - 0f) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = baseSupport * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            if ((long) stride * outSize > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("resampling " + inSize + " -> " + outSize + " needs too many weights");
            }
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[stride * outSize];
            double[] w = new double[stride];
            double invScale = 1.0 / filterScale;
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                // Pillow truncates (C cast) after adding 0.5; for the negative values only the lower clamp matters.
                int lo = (int) (center - support + 0.5);
                if (lo < 0) lo = 0;
                int hi = (int) (center + support + 0.5);
                if (hi > inSize) hi = inSize;
                int n = hi - lo;
                double sum = 0.0;
                for (int t = 0; t < n; t++) {
                    // Same operation order as Pillow: ((x + xmin) - center + 0.5) * ss, all in double.
                    double v = filter(filter, ((t + lo) - center + 0.5) * invScale);
                    w[t] = v;
                    sum += v;
                }
                for (int t = 0; t < n; t++) {
                    double v = sum != 0.0 ? w[t] / sum : w[t];
                    // Round half away from zero by truncation, as Pillow's normalize_coeffs_8bpc does.
                    weights[i * stride + t] = v < 0
                            ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[i] = lo;
                count[i] = n;
            }
            return new Kernel(stride, start, count, weights);
        }
    }

    /** Pillow's filter functions, written with the same double operations so the weights match to the bit. */
    static double filter(Filter filter, double x) {
        if (x < 0.0) x = -x;
        switch (filter) {
            case BILINEAR:
                return x < 1.0 ? 1.0 - x : 0.0;
            case BICUBIC: {
                final double a = -0.5;
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
            default:
                throw new AssertionError(filter);
        }
    }

    /**
     * The two passes of one resize. {@link #run} makes a contiguous block of output rows; blocks share only the
     * read-only source and weight tables and each has its own scratch, so they run on separate threads.
     */
    private static final class Passes {
        final byte[] src;
        final int inW;
        final byte[] out;
        final int outW;
        final Kernel kx;
        final Kernel ky;
        final boolean vector;

        Passes(byte[] src, int inW, byte[] out, int outW, Kernel kx, Kernel ky, boolean vector) {
            this.src = src;
            this.inW = inW;
            this.out = out;
            this.outW = outW;
            this.kx = kx;
            this.ky = ky;
            this.vector = vector;
        }

        void run(int y0, int y1) {
            if (ky == null) {
                horizontalRows(y0, y1 - y0, out, y0, scratch(y1 - y0));
            } else if (kx == null) {
                int rowBytes = outW * 3;
                int[] offs = new int[ky.maxCount];
                for (int yy = y0; yy < y1; yy++) {
                    int n = ky.count[yy];
                    for (int t = 0; t < n; t++) offs[t] = (ky.start[yy] + t) * rowBytes;
                    vertical(src, offs, n, ky.weights, yy * ky.stride, out, yy * rowBytes, rowBytes);
                }
            } else {
                fused(y0, y1);
            }
        }

        /**
         * Both passes for output rows [y0, y1). Horizontally resampled rows go into a ring that holds one output
         * row's window plus a strip of look-ahead, and each output row is summed from the ring. The windows only
         * move down, so each intermediate row is computed once per block (Pillow computes the same rows, once in all).
         */
        private void fused(int y0, int y1) {
            int rowBytes = outW * 3;
            // Rows of the horizontally resampled image this block reads: Pillow's ybox_first / ybox_last.
            int first = ky.start[y0];
            int last = ky.start[y1 - 1] + ky.count[y1 - 1];
            int strip = VectorKernels.STRIP;
            // A whole number of strips, so that a strip never straddles the ring's end.
            int ringRows = roundUp(Math.min(ky.maxCount + strip - 1, last - first), strip);
            byte[] ring = new byte[ringRows * rowBytes];
            byte[][] scratch = scratch(last - first);
            int[] offs = new int[ky.maxCount];
            int done = first;
            for (int yy = y0; yy < y1; yy++) {
                int s = ky.start[yy];
                int n = ky.count[yy];
                // done - first stays a multiple of the strip height and the ring holds this window plus a strip less
                // one row, so new rows never overwrite one that this or a later output row still needs.
                while (done < s + n) {
                    int rows = Math.min(strip, last - done);
                    horizontalRows(done, rows, ring, (done - first) % ringRows, scratch);
                    done += rows;
                }
                for (int t = 0; t < n; t++) offs[t] = ((s + t - first) % ringRows) * rowBytes;
                vertical(ring, offs, n, ky.weights, yy * ky.stride, out, yy * rowBytes, rowBytes);
            }
        }

        /** Scratch for the vector horizontal pass (transposed source strip, transposed result strip), or null. */
        private byte[][] scratch(int rows) {
            return vector && rows >= VectorKernels.STRIP ? VectorKernels.stripScratch(inW, outW) : null;
        }

        /** Horizontal pass of source rows [srcRow, srcRow + rows) into consecutive rows of {@code dst} from {@code dstRow}. */
        private void horizontalRows(int srcRow, int rows, byte[] dst, int dstRow, byte[][] scratch) {
            int inRowBytes = inW * 3;
            int dstRowBytes = outW * 3;
            int r = 0;
            if (scratch != null) {
                for (; r + VectorKernels.STRIP <= rows; r += VectorKernels.STRIP) {
                    VectorKernels.horizontalStrip(src, inRowBytes, (srcRow + r) * inRowBytes,
                            dst, dstRowBytes, (dstRow + r) * dstRowBytes, kx, scratch);
                }
            }
            for (; r < rows; r++) {
                horizontalRow(src, (srcRow + r) * inRowBytes, dst, (dstRow + r) * dstRowBytes, kx);
            }
        }

        private void vertical(byte[] in, int[] offs, int n, int[] w, int wOff, byte[] dst, int dstOff, int len) {
            int done = vector ? VectorKernels.vertical(in, offs, n, w, wOff, dst, dstOff, len) : 0;
            verticalScalar(in, offs, n, w, wOff, dst, dstOff, done, len);
        }
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** Pillow's {@code clip8}: the sum shifted down to 8 bits and saturated. */
    static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }

    /** Pillow's {@code ImagingResampleHorizontal_8bpc} for one RGB row. */
    static void horizontalRow(byte[] in, int inOff, byte[] out, int outOff, Kernel kx) {
        int[] start = kx.start;
        int[] count = kx.count;
        int[] w = kx.weights;
        int stride = kx.stride;
        int o = outOff;
        for (int xx = 0; xx < start.length; xx++) {
            int p = inOff + start[xx] * 3;
            int kb = xx * stride;
            int n = count[xx];
            int r = HALF;
            int g = HALF;
            int b = HALF;
            for (int t = 0; t < n; t++, p += 3) {
                int k = w[kb + t];
                r += (in[p] & 0xFF) * k;
                g += (in[p + 1] & 0xFF) * k;
                b += (in[p + 2] & 0xFF) * k;
            }
            out[o] = clip8(r);
            out[o + 1] = clip8(g);
            out[o + 2] = clip8(b);
            o += 3;
        }
    }

    /**
     * Pillow's {@code ImagingResampleVertical_8bpc} for bytes [from, len) of one output row: each byte is one channel
     * sample, summed over the window rows that start at {@code offs[t]}.
     */
    static void verticalScalar(byte[] in, int[] offs, int n, int[] w, int wOff, byte[] out, int outOff, int from, int len) {
        for (int i = from; i < len; i++) {
            int acc = HALF;
            for (int t = 0; t < n; t++) {
                acc += (in[offs[t] + i] & 0xFF) * w[wOff + t];
            }
            out[outOff + i] = clip8(acc);
        }
    }
}
