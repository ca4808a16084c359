package org.tessera.train.model;

import java.util.ArrayList;
import java.util.List;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.train.Init;
import org.tessera.train.Parameter;
import org.tessera.train.ParameterStore;
import org.tessera.train.nn.PatchEmbedding;

/**
 * InternViT for training: patch embedding and the first {@code layersRun} encoder layers (a {@code select_layer}
 * other than −1 means later layers never run, so they get no gradient and are not built into the graph).
 */
final class VisionEncoder {
    static final String PREFIX = "vision_model.";

    private final InternVitConfig cfg;
    private final PatchEmbedding embed;
    private final List<VitLayer> layers = new ArrayList<>();
    private final List<Parameter> embedParams = new ArrayList<>();
    private final int layersRun;
    private int tiles;

    VisionEncoder(ParameterStore s, InternVitConfig cfg, int layersRun, float layerScaleInit) {
        this.cfg = cfg;
        this.layersRun = layersRun;
        int c = cfg.hiddenSize(), p = cfg.patchSize(), g = cfg.gridSize();
        String e = PREFIX + "embeddings.";
        Parameter cls = s.vector(e + "class_embedding", new long[] {1, 1, c}, Init.truncNormal(0.02));
        Parameter w = s.matrix(e + "patch_embedding.weight", new long[] {c, cfg.numChannels(), p, p}, Init.truncNormal(0.02));
        Parameter b = s.vector(e + "patch_embedding.bias", new long[] {c}, Init.zeros());
        Parameter pos = s.vector(e + "position_embedding", new long[] {1, 1 + (long) g * g, c}, Init.truncNormal(0.02));
        embedParams.addAll(List.of(cls, w, b, pos));
        embed = new PatchEmbedding(cls, w, b, pos, cfg.numChannels(), p);
        for (int l = 0; l < cfg.numLayers(); l++) {
            layers.add(new VitLayer(s, PREFIX + "encoder.layers." + l + ".", cfg, layerScaleInit));
        }
    }

    InternVitConfig config() { return cfg; }

    List<Parameter> embeddingParameters() { return embedParams; }

    /** All layers, including those a select_layer leaves unused. */
    List<VitLayer> layers() { return layers; }

    int layersRun() { return layersRun; }

    /** {@code hidden_states[layersRun]}: {@code [tiles, 1 + N, C]}. */
    float[] forward(float[] pixels, int tiles, int size) {
        this.tiles = tiles;
        int g = size / cfg.patchSize(), seq = 1 + g * g;
        float[] h = embed.forward(pixels, tiles, size);
        for (int l = 0; l < layersRun; l++) h = layers.get(l).forward(h, tiles, seq);
        return h;
    }

    /** Whether any parameter of the encoder (that runs) is trainable. */
    boolean trainable() {
        return lowestTrainable() < Integer.MAX_VALUE;
    }

    /** −1 for the embeddings, l for layer l, MAX_VALUE when nothing trains. */
    private int lowestTrainable() {
        for (Parameter p : embedParams) if (p.trainable()) return -1;
        for (int l = 0; l < layersRun; l++) {
            for (Parameter p : layers.get(l).parameters()) if (p.trainable()) return l;
        }
        return Integer.MAX_VALUE;
    }

    /** Backward from the gradient of the encoder output; stops below the lowest trainable part. */
    void backward(float[] dOut) {
        int lowest = lowestTrainable();
        if (lowest == Integer.MAX_VALUE) return;
        float[] d = dOut;
        for (int l = layersRun - 1; l >= Math.max(0, lowest); l--) d = layers.get(l).backward(d, l > lowest);
        if (lowest == -1) embed.backward(d);
    }

    void clear() {
        embed.clear();
        for (VitLayer l : layers) l.clear();
    }
}
