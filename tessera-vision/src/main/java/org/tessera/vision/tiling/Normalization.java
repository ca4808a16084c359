package org.tessera.vision.tiling;

/**
 * Per-channel mean and standard deviation applied after ToTensor (x / 255), as torchvision's Normalize does,
 * in float32: {@code ((float) v / 255f - mean[c]) / std[c]}.
 */
public record Normalization(String name, float[] mean, float[] std) {
    /** InternVL (and NVLM) tiles. */
    public static final Normalization IMAGENET = new Normalization("imagenet",
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    /** CLIP ViT-L/14-336 (InternLM-XComposer2-4KHD, POINTS). */
    public static final Normalization CLIP = new Normalization("clip",
            new float[] {0.48145466f, 0.4578275f, 0.40821073f}, new float[] {0.26862954f, 0.26130258f, 0.27577711f});

    /** The normalised value of 8-bit channel value v (0-255) in channel c. */
    public float apply(int v, int c) {
        return ((float) v / 255f - mean[c]) / std[c];
    }

    /** A 256-entry table per channel, so normalising a tile is a lookup per byte. */
    public float[][] lookupTables() {
        float[][] t = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) t[c][v] = apply(v, c);
        }
        return t;
    }
}
