package org.tessera.train.nn;

import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;

/**
 * Drop CLS and pixel-shuffle (the runtime's {@link InternVLModel#pixelShuffle}): a permutation of the encoder's
 * patch features into merged tokens {@code [tiles, (g/f)², f²·C]}. Backward is the inverse permutation; the CLS
 * rows get zero gradient.
 */
public final class PixelShuffle {
    private final int g;
    private final int c;
    private final int f;
    private final InternVLConfig.PixelShuffle version;

    public PixelShuffle(int grid, int channels, int factor, InternVLConfig.PixelShuffle version) {
        this.g = grid;
        this.c = channels;
        this.f = factor;
        this.version = version;
    }

    public float[] forward(float[] features, int tiles) {
        return InternVLModel.pixelShuffle(features, tiles, g, c, f, version);
    }

    /** {@code [tiles, 1 + g², C]} gradient of the encoder output for the merged-token gradient {@code dOut}. */
    public float[] backward(float[] dOut, int tiles) {
        int seq = 1 + g * g, go = g / f, width = f * f * c;
        float[] d = new float[tiles * seq * c];
        for (int n = 0; n < tiles; n++) {
            for (int i = 0; i < go; i++) {
                for (int j = 0; j < go; j++) {
                    int token = version == InternVLConfig.PixelShuffle.V2 ? i * go + j : j * go + i;
                    int src = (n * go * go + token) * width;
                    for (int pp = 0; pp < f; pp++) {
                        for (int q = 0; q < f; q++) {
                            int dst = (n * seq + 1 + (f * i + pp) * g + f * j + q) * c;
                            System.arraycopy(dOut, src + (pp * f + q) * c, d, dst, c);
                        }
                    }
                }
            }
        }
        return d;
    }
}
