package org.tessera.train.nn;

import org.tessera.model.RowOps;
import org.tessera.train.Parameter;
import org.tessera.train.kernels.Products;

/**
 * InternViT's embeddings: a stride-p convolution as a matrix product over im2col patches, the CLS token in front and
 * the position table added, per tile: {@code h = [cls; patches·Wᵀ + b] + pos}, {@code [tiles, 1 + g², C]}.
 * Training runs at the checkpoint's own tile size, where the runtime uses the stored position table as is (other sizes
 * would need the backward of the bicubic resampling).
 *
 * <p>Backward: dcls and dpos are sums over tiles; the conv weight and bias go through {@link Linear}. Pixels get no
 * gradient.
 */
public final class PatchEmbedding {
    private final Parameter cls;
    private final Parameter pos;
    private final Linear patch;
    private final int channels;
    private final int p;
    private final int c;
    private int tiles;
    private int g;

    public PatchEmbedding(Parameter cls, Parameter patchWeight, Parameter patchBias, Parameter pos, int channels, int patchSize) {
        this.cls = cls;
        this.pos = pos;
        this.patch = new Linear(patchWeight, patchBias);
        this.channels = channels;
        this.p = patchSize;
        this.c = cls.size();
    }

    public Linear patch() { return patch; }

    /** @param pixels [tiles, channels, size, size] */
    public float[] forward(float[] pixels, int tiles, int size) {
        int g = size / p, n = g * g, seq = n + 1, k = channels * p * p;
        if ((long) (1 + n) * c != pos.size()) {
            throw new IllegalArgumentException("training needs tiles of the position table's size (" + pos.size() / c + " positions); got a "
                    + g + "×" + g + " patch grid");
        }
        float[] patches = new float[tiles * n * k];
        for (int t = 0; t < tiles; t++) {
            int tileBase = t * channels * size * size;
            for (int py = 0; py < g; py++) {
                for (int px = 0; px < g; px++) {
                    int dst = ((t * n) + py * g + px) * k;
                    for (int cc = 0; cc < channels; cc++) {
                        for (int ky = 0; ky < p; ky++) {
                            int src = tileBase + cc * size * size + (py * p + ky) * size + px * p;
                            System.arraycopy(pixels, src, patches, dst + (cc * p + ky) * p, p);
                        }
                    }
                }
            }
        }
        float[] proj = patch.forward(patches, tiles * n);
        float[] h = new float[tiles * seq * c];
        float[] posv = pos.values();
        for (int t = 0; t < tiles; t++) {
            int base = t * seq * c;
            System.arraycopy(proj, t * n * c, h, base + c, n * c);
            System.arraycopy(cls.values(), 0, h, base, c);
            RowOps.add(h, base, posv, 0, seq * c);
        }
        this.tiles = tiles;
        this.g = g;
        return h;
    }

    public void backward(float[] dh) {
        int n = g * g, seq = n + 1;
        if (cls.trainable()) for (int t = 0; t < tiles; t++) Products.add(cls.grad(), 0, dh, t * seq * c, c);
        if (pos.trainable()) for (int t = 0; t < tiles; t++) Products.add(pos.grad(), 0, dh, t * seq * c, seq * c);
        if (patch.trainable()) {
            float[] dproj = new float[tiles * n * c];
            for (int t = 0; t < tiles; t++) System.arraycopy(dh, (t * seq + 1) * c, dproj, t * n * c, n * c);
            patch.backward(dproj, false);
        }
    }

    public void clear() { patch.clear(); }
}
