package org.tessera.train.nn;

import org.tessera.core.kernels.Rope;

/**
 * Rotate-half rotary position embedding on the runtime's {@link Rope} tables, per sequence of a packed batch
 * (positions restart at 0 for each). The rotation is orthogonal, so its backward is the rotation by −θ:
 * {@code dx₁ = dy₁·cos + dy₂·sin}, {@code dx₂ = dy₂·cos − dy₁·sin}.
 */
public final class RotaryEmbedding {
    private final Rope rope;
    private final int headDim;

    public RotaryEmbedding(int headDim, double theta, int maxPositions) {
        this.rope = new Rope(headDim, theta, maxPositions);
        this.headDim = headDim;
    }

    /** Rotates {@code [rows][heads][headDim]} in place; row t of segment s sits at position t − start(s). */
    public void forward(float[] x, int heads, int[] segmentStarts) {
        int stride = heads * headDim;
        for (int s = 0; s + 1 < segmentStarts.length; s++) {
            for (int t = segmentStarts[s]; t < segmentStarts[s + 1]; t++) rope.apply(x, t * stride, heads, t - segmentStarts[s]);
        }
    }

    /** The gradient of {@link #forward}: rotates {@code dy} back in place. */
    public void backward(float[] dy, int heads, int[] segmentStarts) {
        int half = headDim / 2, stride = heads * headDim;
        for (int s = 0; s + 1 < segmentStarts.length; s++) {
            for (int t = segmentStarts[s]; t < segmentStarts[s + 1]; t++) {
                int pos = t - segmentStarts[s];
                for (int h = 0; h < heads; h++) {
                    int a = t * stride + h * headDim, b = a + half;
                    for (int i = 0; i < half; i++) {
                        float c = rope.cos(pos, i), sn = rope.sin(pos, i);
                        float y1 = dy[a + i], y2 = dy[b + i];
                        dy[a + i] = y1 * c + y2 * sn;
                        dy[b + i] = y2 * c - y1 * sn;
                    }
                }
            }
        }
    }
}
