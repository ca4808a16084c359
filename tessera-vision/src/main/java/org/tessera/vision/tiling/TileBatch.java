package org.tessera.vision.tiling;

/**
 * Normalised tiles as the vision encoder takes them: float32, [count, 3, size, size], C order (the layout of the
 * reference code's {@code pixel_values}).
 */
public record TileBatch(int count, int size, float[] data) {
    public TileBatch {
        if ((long) count * 3 * size * size != data.length) {
            throw new IllegalArgumentException("expected " + (long) count * 3 * size * size + " floats, got " + data.length);
        }
    }

    /** Offset of tile t's first value in {@link #data}. */
    public int offset(int t) {
        return t * 3 * size * size;
    }
}
