package org.tessera.vision.resample;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * {@link Parallel}. Both passes run through one kernel, {@link #convolve}, which sums whole runs of contiguous
 * bytes with the same weight per tap: plain loops that C2 turns into SIMD code. The vertical pass has that shape
 * already; for the horizontal pass a band of source rows is transposed byte-wise (so the band's rows become
 * contiguous), convolved the same way and transposed back. The passes are fused per block of output rows through
 * a small ring of intermediate rows, so the intermediate image is never materialised. The Vector API is
 * deliberately not used: until C2 compiles them its operations run hundreds of times slower, which made a
 * one-off resize in a fresh JVM take seconds; plain loops are fast from the first call.
 */
public final class PillowResize {
    /** Pillow's {@code PRECISION_BITS}: 8 bits of result, 2 of headroom for negative lobes and overshoot. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    /** Pillow starts every sum at one half so that the final shift rounds to nearest. */
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /**
     * Source rows the horizontal pass transposes at once (a multiple of 8, the transpose's block). 32 rows of a 4K
     * frame's source band (360 KiB) stay in L2, and 3 * 32 contiguous bytes per output pixel make long enough runs.
     */
    static final int BAND = 32;
    /** Longest run {@link #convolve} sums in one go: its int accumulators (8 KiB) stay in L1. */
    private static final int CHUNK = 2048;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private PillowResize() {}

    /**
     * Resizes {@code src} to {@code width} x {@code height} exactly as Pillow 9.4's {@code Image.resize} does for
     * an RGB image with the given filter (default box, no {@code reducing_gap}). Returns a new image; an unchanged
     * size gives a copy.
     */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
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
        Passes p = new Passes(src.pixels(), inW, inH, out, width, height,
                width != inW ? Kernel.of(inW, width, filter) : null,
                height != inH ? Kernel.of(inH, height, filter) : null);
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

    /** Pillow's {@code clip8}: the accumulated sum shifted down to 8 bits and saturated. */
    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }

    /**
     * The two passes of one resize. {@link #run} makes a contiguous block of output rows; blocks share only the
     * read-only source and weight tables and each has its own scratch, so they run on separate threads.
     */
    private static final class Passes {
        final byte[] src;
        final int inW;
        final int inH;
        final byte[] out;
        final int outW;
        final int outH;
        final Kernel kx;
        final Kernel ky;

        Passes(byte[] src, int inW, int inH, byte[] out, int outW, int outH, Kernel kx, Kernel ky) {
            this.src = src;
            this.inW = inW;
            this.inH = inH;
            this.out = out;
            this.outW = outW;
            this.outH = outH;
            this.kx = kx;
            this.ky = ky;
        }

        void run(int y0, int y1) {
            if (ky == null) {
                Scratch sc = new Scratch();
                for (int y = y0; y < y1; y += BAND) {
                    horizontalBand(y, Math.min(BAND, y1 - y), out, y, sc);
                }
            } else if (kx == null) {
                int rowBytes = outW * 3;
                int[] offs = new int[ky.maxCount];
                int[] acc = new int[Math.min(CHUNK, rowBytes)];
                for (int yy = y0; yy < y1; yy++) {
                    int n = ky.count[yy];
                    for (int t = 0; t < n; t++) offs[t] = (ky.start[yy] + t) * rowBytes;
                    convolve(src, offs, n, ky.weights, yy * ky.stride, out, yy * rowBytes, rowBytes, acc);
                }
            } else {
                fused(y0, y1);
            }
        }

        /**
         * Both passes for output rows [y0, y1). Horizontally resampled rows go into a ring that holds one output
         * row's window plus a band of look-ahead, and each output row is summed from the ring. The windows only move
         * down, so each intermediate row is computed once per block (Pillow computes the same rows, once in all).
         */
        private void fused(int y0, int y1) {
            int rowBytes = outW * 3;
            // Rows of the horizontally resampled image this block reads: Pillow's ybox_first / ybox_last.
            int first = ky.start[y0];
            int last = ky.start[y1 - 1] + ky.count[y1 - 1];
            // A whole number of bands, so a band never straddles the ring's end.
            int ringRows = roundUp(Math.min(ky.maxCount + BAND - 1, last - first), BAND);
            byte[] ring = new byte[ringRows * rowBytes];
            Scratch sc = new Scratch();
            int[] offs = new int[ky.maxCount];
            int[] acc = new int[Math.min(CHUNK, rowBytes)];
            int done = first;
            for (int yy = y0; yy < y1; yy++) {
                int s = ky.start[yy];
                int n = ky.count[yy];
                // done - first stays a multiple of BAND, and the ring is at least this window plus BAND - 1 rows,
                // so a new band never overwrites a row that this or a later output row still needs.
                while (done < s + n) {
                    int rows = Math.min(BAND, last - done);
                    horizontalBand(done, rows, ring, (done - first) % ringRows, sc);
                    done += rows;
                }
                for (int t = 0; t < n; t++) offs[t] = ((s + t - first) % ringRows) * rowBytes;
                convolve(ring, offs, n, ky.weights, yy * ky.stride, out, yy * rowBytes, rowBytes, acc);
            }
        }

        /** Per-block scratch of the horizontal pass. */
        private final class Scratch {
            final byte[] band = new byte[inW * 3 * BAND];
            final byte[] result = new byte[outW * 3 * BAND];
            final int[] offs = new int[kx.maxCount];
            final int[] acc = new int[3 * BAND];
        }

        /**
         * Horizontal pass of source rows [srcRow, srcRow + rows), rows <= BAND, into rows dstRow.. of {@code dst}.
         * After the byte-wise transpose, source pixel x's three channels over the band's rows are the 3 * BAND
         * contiguous bytes from x * 3 * BAND, so each output pixel is one {@link #convolve} over such runs; a short
         * last band just carries stale rows along that are never transposed back.
         */
        private void horizontalBand(int srcRow, int rows, byte[] dst, int dstRow, Scratch sc) {
            int inRowBytes = inW * 3;
            int outRowBytes = outW * 3;
            int run = 3 * BAND;
            transpose(src, srcRow * inRowBytes, inRowBytes, rows, inRowBytes, sc.band, BAND);
            int[] start = kx.start;
            int[] offs = sc.offs;
            for (int xx = 0; xx < start.length; xx++) {
                int n = kx.count[xx];
                for (int t = 0; t < n; t++) offs[t] = (start[xx] + t) * run;
                convolve(sc.band, offs, n, kx.weights, xx * kx.stride, sc.result, xx * run, run, sc.acc);
            }
            transpose(sc.result, 0, BAND, outRowBytes, rows, dst, dstRow * outRowBytes, outRowBytes);
        }
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /**
     * {@code out[outOff + i] = clip8(HALF + sum_t w[wOff + t] * in[offs[t] + i])} for i in [0, len): n rows of
     * bytes, one weight each, summed sample by sample in 32-bit integers exactly as Pillow's passes do (the order of
     * integer additions cannot change the result). Written as plain loops over i, with taps taken four at a time
     * to keep the accumulators' memory traffic down, so C2 vectorises them.
     */
    static void convolve(byte[] in, int[] offs, int n, int[] w, int wOff, byte[] out, int outOff, int len, int[] acc) {
        for (int from = 0; from < len; from += acc.length) {
            int m = Math.min(acc.length, len - from);
            int a = offs[0] + from;
            int ka = w[wOff];
            for (int i = 0; i < m; i++) {
                acc[i] = HALF + (in[a + i] & 0xFF) * ka;
            }
            int t = 1;
            for (; t + 4 <= n; t += 4) {
                a = offs[t] + from;
                int b = offs[t + 1] + from;
                int c = offs[t + 2] + from;
                int d = offs[t + 3] + from;
                ka = w[wOff + t];
                int kb = w[wOff + t + 1];
                int kc = w[wOff + t + 2];
                int kd = w[wOff + t + 3];
                for (int i = 0; i < m; i++) {
                    acc[i] += (in[a + i] & 0xFF) * ka + (in[b + i] & 0xFF) * kb
                            + (in[c + i] & 0xFF) * kc + (in[d + i] & 0xFF) * kd;
                }
            }
            for (; t < n; t++) {
                a = offs[t] + from;
                ka = w[wOff + t];
                for (int i = 0; i < m; i++) {
                    acc[i] += (in[a + i] & 0xFF) * ka;
                }
            }
            int o = outOff + from;
            for (int i = 0; i < m; i++) {
                out[o + i] = (byte) Math.min(Math.max(acc[i] >> PRECISION_BITS, 0), 255);
            }
        }
    }

    /**
     * {@code b[bOff + c * bStride + r] = a[aOff + r * aStride + c]} for r < rows, c < cols: the rows x cols byte
     * matrix at {@code a} written transposed at {@code b}, in 8x8 blocks held in longs, the ragged edges byte by byte.
     */
    static void transpose(byte[] a, int aOff, int aStride, int rows, int cols, byte[] b, int bOff, int bStride) {
        int fullRows = rows & ~7;
        int fullCols = cols & ~7;
        for (int c = 0; c < fullCols; c += 8) {
            for (int r = 0; r < fullRows; r += 8) {
                int p = aOff + r * aStride + c;
                transpose8x8(
                        (long) LONGS.get(a, p), (long) LONGS.get(a, p + aStride),
                        (long) LONGS.get(a, p + 2 * aStride), (long) LONGS.get(a, p + 3 * aStride),
                        (long) LONGS.get(a, p + 4 * aStride), (long) LONGS.get(a, p + 5 * aStride),
                        (long) LONGS.get(a, p + 6 * aStride), (long) LONGS.get(a, p + 7 * aStride),
                        b, bOff + c * bStride + r, bStride);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = r < fullRows ? fullCols : 0; c < cols; c++) {
                b[bOff + c * bStride + r] = a[aOff + r * aStride + c];
            }
        }
    }

    /**
     * Transposes the 8x8 byte matrix whose row i is long {@code ai} (column c in bits 8c..8c+7) and stores row i of
     * the result at {@code dst[off + i * dstStride]}: swap the off-diagonal 4x4 blocks, then the off-diagonal 2x2
     * blocks inside each, then single bytes, each step a masked xor-swap between two rows.
     */
    private static void transpose8x8(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
                                     byte[] dst, int off, int dstStride) {
        long t;
        final long m32 = 0x00000000FFFFFFFFL;
        t = ((a0 >>> 32) ^ a4) & m32; a0 ^= t << 32; a4 ^= t;
        t = ((a1 >>> 32) ^ a5) & m32; a1 ^= t << 32; a5 ^= t;
        t = ((a2 >>> 32) ^ a6) & m32; a2 ^= t << 32; a6 ^= t;
        t = ((a3 >>> 32) ^ a7) & m32; a3 ^= t << 32; a7 ^= t;
        final long m16 = 0x0000FFFF0000FFFFL;
        t = ((a0 >>> 16) ^ a2) & m16; a0 ^= t << 16; a2 ^= t;
        t = ((a1 >>> 16) ^ a3) & m16; a1 ^= t << 16; a3 ^= t;
        t = ((a4 >>> 16) ^ a6) & m16; a4 ^= t << 16; a6 ^= t;
        t = ((a5 >>> 16) ^ a7) & m16; a5 ^= t << 16; a7 ^= t;
        final long m8 = 0x00FF00FF00FF00FFL;
        t = ((a0 >>> 8) ^ a1) & m8; a0 ^= t << 8; a1 ^= t;
        t = ((a2 >>> 8) ^ a3) & m8; a2 ^= t << 8; a3 ^= t;
        t = ((a4 >>> 8) ^ a5) & m8; a4 ^= t << 8; a5 ^= t;
        t = ((a6 >>> 8) ^ a7) & m8; a6 ^= t << 8; a7 ^= t;
        LONGS.set(dst, off, a0);
        LONGS.set(dst, off + dstStride, a1);
        LONGS.set(dst, off + 2 * dstStride, a2);
        LONGS.set(dst, off + 3 * dstStride, a3);
        LONGS.set(dst, off + 4 * dstStride, a4);
        LONGS.set(dst, off + 5 * dstStride, a5);
        LONGS.set(dst, off + 6 * dstStride, a6);
        LONGS.set(dst, off + 7 * dstStride, a7);
    }
}
