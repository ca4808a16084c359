package org.tessera.core.ops;

import java.util.Objects;

import org.tessera.core.Parallel;

/**
 * PyTorch's {@code F.interpolate(x, size=(outH, outW), mode='bicubic', align_corners=...)} (no antialias) on one
 * CHW float image, as its CPU kernel computes it for float32.
 *
 * <p>What is reproduced, from ATen's {@code UpSample.h} and {@code UpSampleKernel.cpp}:
 * <ul>
 *   <li>The scale comes from the sizes, since {@code size} (not {@code scale_factor}) is given: {@code in / out} as a
 *       float division, or {@code (in - 1) / (out - 1)} with align_corners (0 when out is 1).</li>
 *   <li>Source coordinate {@code scale * (dst + 0.5) - 0.5} (align_corners: {@code scale * dst}), in float, negative
 *       values kept; base index {@code min(floor(src), in - 1)}, fraction clamped to [0, 1].</li>
 *   <li>Keys cubic convolution with A = -0.75 over the 4 samples base-1 .. base+2, each index clamped to the image
 *       (so borders repeat the edge sample). Weights are computed in float with torch's expressions.</li>
 *   <li>Every pixel is summed in float (torch's {@code opmath_t} for float32), 4 rows of 4 taps: each row sum left to
 *       right, then the 4 row sums weighted left to right, first tap as a plain product.</li>
 * </ul>
 * Torch's AVX2/AVX-512 builds of that kernel may let the compiler fuse multiply-adds, which moves results by an ulp
 * or so; this code does no fusing, like torch's baseline build. Results agree with torch to float rounding either way.
 *
 * <p>Note that with A = -0.75 cubic convolution reproduces constants but not linear ramps: at fraction t the ramp
 * comes out shifted by {@code -(2A + 1) t (1 - t) (1 - 2t)} samples (zero only at t = 0, 1/2, 1); only Keys' A = -0.5
 * reproduces ramps (and quadratics).
 */
public final class BicubicInterpolate {
    /** torch's cubic coefficient for non-antialiased bicubic (OpenCV's choice; Pillow uses -0.5). */
    static final float A = -0.75f;

    private BicubicInterpolate() {}

    /** {@code F.interpolate(x[None], size=(outH, outW), mode='bicubic', align_corners=False)[0]} for CHW {@code src}. */
    public static float[] interpolate(float[] src, int channels, int inH, int inW, int outH, int outW) {
        return interpolate(src, channels, inH, inW, outH, outW, false);
    }

    /** As {@link #interpolate(float[], int, int, int, int, int)} with torch's {@code align_corners} flag. */
    public static float[] interpolate(float[] src, int channels, int inH, int inW, int outH, int outW, boolean alignCorners) {
        Objects.requireNonNull(src, "src");
        if (channels <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("channels and sizes must be positive, got C=" + channels + " in="
                    + inH + "x" + inW + " out=" + outH + "x" + outW);
        }
        if ((long) channels * inH * inW != src.length) {
            throw new IllegalArgumentException("expected " + (long) channels * inH * inW + " floats for " + channels
                    + "x" + inH + "x" + inW + ", got " + src.length);
        }
        if ((long) channels * outH * outW > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output too large: " + channels + "x" + outH + "x" + outW);
        }
        Taps ty = Taps.of(inH, outH, alignCorners);
        Taps tx = Taps.of(inW, outW, alignCorners);
        float[] out = new float[channels * outH * outW];
        int inPlane = inH * inW;
        int outPlane = outH * outW;
        // One work item per output row of one channel: cheap enough to split finely, large enough to amortise.
        Parallel.forBlocks(channels * outH, (from, to) -> {
            for (int item = from; item < to; item++) {
                int c = item / outH;
                int oy = item - c * outH;
                int base = c * inPlane;
                int r0 = base + ty.index[4 * oy] * inW;
                int r1 = base + ty.index[4 * oy + 1] * inW;
                int r2 = base + ty.index[4 * oy + 2] * inW;
                int r3 = base + ty.index[4 * oy + 3] * inW;
                float wy0 = ty.weight[4 * oy];
                float wy1 = ty.weight[4 * oy + 1];
                float wy2 = ty.weight[4 * oy + 2];
                float wy3 = ty.weight[4 * oy + 3];
                int o = c * outPlane + oy * outW;
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = tx.index[4 * ox];
                    int x1 = tx.index[4 * ox + 1];
                    int x2 = tx.index[4 * ox + 2];
                    int x3 = tx.index[4 * ox + 3];
                    float wx0 = tx.weight[4 * ox];
                    float wx1 = tx.weight[4 * ox + 1];
                    float wx2 = tx.weight[4 * ox + 2];
                    float wx3 = tx.weight[4 * ox + 3];
                    float s0 = src[r0 + x0] * wx0 + src[r0 + x1] * wx1 + src[r0 + x2] * wx2 + src[r0 + x3] * wx3;
                    float s1 = src[r1 + x0] * wx0 + src[r1 + x1] * wx1 + src[r1 + x2] * wx2 + src[r1 + x3] * wx3;
                    float s2 = src[r2 + x0] * wx0 + src[r2 + x1] * wx1 + src[r2 + x2] * wx2 + src[r2 + x3] * wx3;
                    float s3 = src[r3 + x0] * wx0 + src[r3 + x1] * wx1 + src[r3 + x2] * wx2 + src[r3 + x3] * wx3;
                    out[o + ox] = s0 * wy0 + s1 * wy1 + s2 * wy2 + s3 * wy3;
                }
            }
        });
        return out;
    }

    /** One axis: for output i, the 4 clamped source indices and float weights at {@code [4i, 4i + 4)}. */
    record Taps(int[] index, float[] weight) {
        static Taps of(int inSize, int outSize, boolean alignCorners) {
            float scale = scale(inSize, outSize, alignCorners);
            int[] index = new int[4 * outSize];
            float[] weight = new float[4 * outSize];
            float[] c = new float[4];
            for (int i = 0; i < outSize; i++) {
                float real = sourceIndex(scale, i, alignCorners);
                // torch: min(int64(floorf(real)), in - 1), then the fraction clamped to [0, 1].
                int base = (int) Math.min((long) Math.floor(real), inSize - 1);
                float t = Math.min(Math.max(real - base, 0f), 1f);
                coefficients(t, c);
                for (int j = 0; j < 4; j++) {
                    index[4 * i + j] = Math.max(Math.min(base - 1 + j, inSize - 1), 0);
                    weight[4 * i + j] = c[j];
                }
            }
            return new Taps(index, weight);
        }
    }

    /** torch's {@code area_pixel_compute_scale} when only sizes are given (float arithmetic). */
    static float scale(int inSize, int outSize, boolean alignCorners) {
        if (alignCorners) {
            return outSize > 1 ? (float) (inSize - 1) / (outSize - 1) : 0f;
        }
        return (float) inSize / outSize;
    }

    /** torch's {@code area_pixel_compute_source_index} for cubic mode: negative coordinates are kept. */
    static float sourceIndex(float scale, int dst, boolean alignCorners) {
        return alignCorners ? scale * dst : scale * (dst + 0.5f) - 0.5f;
    }

    /**
     * torch's {@code get_cubic_upsample_coefficients}: weights of samples base-1 .. base+2 at fraction t. The
     * {@code + 1.0} and {@code 1.0 -} there are double expressions narrowed to float, reproduced as such.
     */
    static void coefficients(float t, float[] c) {
        float x1 = t;
        c[0] = convolution2((float) (x1 + 1.0));
        c[1] = convolution1(x1);
        float x2 = (float) (1.0 - t);
        c[2] = convolution1(x2);
        c[3] = convolution2((float) (x2 + 1.0));
    }

    /** Keys kernel for |x| <= 1, torch's {@code cubic_convolution1}, in float. */
    static float convolution1(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** Keys kernel for 1 < |x| < 2, torch's {@code cubic_convolution2}, in float. */
    static float convolution2(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
