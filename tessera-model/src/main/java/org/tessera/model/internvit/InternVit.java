package org.tessera.model.internvit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Attention;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.Norms;
import org.tessera.core.ops.BicubicInterpolate;
import org.tessera.model.ModelException;
import org.tessera.model.RowOps;

/**
 * The InternViT encoder ({@code InternVisionModel} of the original code), computed in float32 on the stored weights.
 *
 * <pre>
 * embeddings: x = conv_p×p/stride p(pixels) + bias → [N, C] (token = row·g + col); h = [cls; x] + pos
 *             pos = [pos_cls; bicubic(pos_grid, g×g → g'×g')]   (torch F.interpolate, align_corners=False)
 * per layer:  h = h + ls1 · attn(norm1(h))
 *             h = h + ls2 · fc2(gelu(fc1(norm2(h))))
 * attn(x):    q|k|v = qkv(x); [q = q_norm(q), k = k_norm(k) over the full width, 6B only]
 *             per head: softmax(q·kᵀ/√d)·v, bidirectional over the tile's 1 + N tokens; then proj
 * </pre>
 * No final norm: the encoder output is the last layer's output. {@code hidden_states[0]} is the embeddings and
 * {@code hidden_states[i]} the output of layer i, so a select_layer picks how many layers run.
 *
 * <p>All tiles of a request go through every projection as one matrix ({@code tiles·(1+N)} rows), so each weight
 * is decoded once per layer; attention runs per tile (tiles do not see each other) on the blocked attention kernel.
 * Thread-safe: a forward call keeps its state in its own buffers.
 */
public final class InternVit {
    /** Rows of the MLP's hidden activation materialised at once: bounds the fc1 buffer to ~32 MB at any width. */
    private static final int MLP_FLOATS = 8 << 20;

    private final InternVitConfig cfg;
    private final InternVitWeights w;
    /** Position embeddings [1 + g'², C] per grid size g' (the trained size maps to the stored table). */
    private final Map<Integer, float[]> positions = new ConcurrentHashMap<>();

    public InternVit(InternVitConfig cfg, InternVitWeights w) {
        this.cfg = cfg;
        this.w = w;
        positions.put(cfg.gridSize(), w.positionEmbedding());
    }

    public InternVitConfig config() { return cfg; }

    /**
     * The index into {@code hidden_states} (length layers + 1) that a Python-style {@code select_layer} names:
     * −1 is the last layer's output, 0 the embeddings.
     */
    public static int resolveLayer(int selectLayer, int numLayers) {
        int i = selectLayer < 0 ? numLayers + 1 + selectLayer : selectLayer;
        if (i < 0 || i > numLayers) {
            throw new ModelException("select_layer " + selectLayer + " is out of range for " + numLayers
                    + " layers (hidden_states has " + (numLayers + 1) + " entries: use " + (-numLayers - 1) + " .. " + numLayers + ")");
        }
        return i;
    }

    /** The last hidden state, {@code [tiles, 1 + N, C]} (CLS first). */
    public float[] forward(float[] pixels, int tiles, int size) {
        return forward(pixels, tiles, size, cfg.numLayers());
    }

    /**
     * {@code hidden_states[outputLayer]} for every tile, {@code [tiles, 1 + N, C]} with N = (size / patch)²; layers
     * after it are not run.
     *
     * @param pixels [tiles, channels, size, size], normalised as the model expects
     */
    public float[] forward(float[] pixels, int tiles, int size, int outputLayer) {
        return forward(pixels, tiles, size, outputLayer, null);
    }

    /**
     * As {@link #forward(float[], int, int, int)}, calling {@code onLayer} with the number of layers done after each
     * layer (all tiles advance together, so this is the finest progress a batch has).
     */
    public float[] forward(float[] pixels, int tiles, int size, int outputLayer, java.util.function.IntConsumer onLayer) {
        int c = cfg.hiddenSize(), p = cfg.patchSize();
        if (tiles <= 0) throw new ModelException("need at least one tile, got " + tiles);
        if (size <= 0 || size % p != 0) {
            throw new ModelException("tile size " + size + " px is not a positive multiple of the patch size " + p);
        }
        if (pixels.length != (long) tiles * cfg.numChannels() * size * size) {
            throw new ModelException("pixel buffer holds " + pixels.length + " floats, [" + tiles + ", " + cfg.numChannels()
                    + ", " + size + ", " + size + "] needs " + (long) tiles * cfg.numChannels() * size * size);
        }
        if (outputLayer < 0 || outputLayer > cfg.numLayers()) throw new IllegalArgumentException("outputLayer " + outputLayer);
        int g = size / p;
        int seq = 1 + g * g;
        long rows = (long) tiles * seq;
        if (rows * 3 * c > Integer.MAX_VALUE - 8) throw new ModelException(tiles + " tiles of " + size + " px are too many for one batch");
        float[] h = new float[(int) rows * c];
        embed(pixels, tiles, size, g, h);
        if (outputLayer > 0) {
            Buffers b = new Buffers((int) rows, seq, c, cfg.intermediateSize());
            for (int l = 0; l < outputLayer; l++) {
                layer(w.layers().get(l), h, tiles, seq, b);
                if (onLayer != null) onLayer.accept(l + 1);
            }
        }
        return h;
    }

    private record Buffers(float[] x, float[] qkv, float[] a, float[] u, int mlpRows) {
        Buffers(int rows, int seq, int c, int inter) {
            this(new float[rows * c], new float[rows * 3 * c], new float[rows * c],
                    new float[Math.min(rows, Math.max(seq, MLP_FLOATS / inter)) * inter],
                    Math.min(rows, Math.max(seq, MLP_FLOATS / inter)));
        }
    }

    /** h = [cls; patches·Wᵀ + b] + pos, per tile. */
    private void embed(float[] pixels, int tiles, int size, int g, float[] h) {
        int c = cfg.hiddenSize(), p = cfg.patchSize(), ch = cfg.numChannels();
        int n = g * g, seq = n + 1, k = ch * p * p;
        float[] pos = positionEmbedding(g);
        float[] patches = new float[n * k];
        for (int t = 0; t < tiles; t++) {
            // im2col: patch (py, px) becomes row py·g + px with columns in the kernel's (channel, ky, kx) order.
            int tileBase = t * ch * size * size;
            for (int py = 0; py < g; py++) {
                for (int px = 0; px < g; px++) {
                    int dst = (py * g + px) * k;
                    for (int cc = 0; cc < ch; cc++) {
                        for (int ky = 0; ky < p; ky++) {
                            int src = tileBase + cc * size * size + (py * p + ky) * size + px * p;
                            System.arraycopy(pixels, src, patches, dst + (cc * p + ky) * p, p);
                        }
                    }
                }
            }
            int base = t * seq * c;
            Gemm.matmul(patches, 0, n, w.patchEmbedding(), w.patchBias(), h, base + c);
            System.arraycopy(w.classEmbedding(), 0, h, base, c);
            RowOps.add(h, base, pos, 0, seq * c);
        }
    }

    /**
     * The position table for a g×g grid: the stored one, or its bicubic resampling (computed once per size). The
     * original casts a resampled table back to the weights' dtype (bf16 in the released checkpoints) because it
     * computes everything in that dtype; here it stays float32 like every other activation.
     */
    float[] positionEmbedding(int g) {
        return positions.computeIfAbsent(g, gg -> {
            int c = cfg.hiddenSize(), g0 = cfg.gridSize();
            float[] stored = w.positionEmbedding();
            // [g0·g0, C] → CHW [C, g0, g0], as the original's reshape(1, g0, g0, C).permute(0, 3, 1, 2)
            float[] chw = new float[c * g0 * g0];
            for (int i = 0; i < g0 * g0; i++) {
                for (int j = 0; j < c; j++) chw[j * g0 * g0 + i] = stored[(1 + i) * c + j];
            }
            float[] out = BicubicInterpolate.interpolate(chw, c, g0, g0, gg, gg);
            float[] table = new float[(1 + gg * gg) * c];
            System.arraycopy(stored, 0, table, 0, c); // the CLS position is never interpolated
            for (int i = 0; i < gg * gg; i++) {
                for (int j = 0; j < c; j++) table[(1 + i) * c + j] = out[j * gg * gg + i];
            }
            return table;
        });
    }

    private void layer(InternVitWeights.Layer lw, float[] h, int tiles, int seq, Buffers b) {
        int c = cfg.hiddenSize(), inter = cfg.intermediateSize();
        int rows = tiles * seq;
        float eps = (float) cfg.normEps();

        // ---- attention block
        norm(h, b.x(), rows, lw.norm1Weight(), lw.norm1Bias(), eps);
        Gemm.matmul(b.x(), rows, lw.qkv(), lw.qkvBias(), b.qkv());
        if (cfg.qkNorm()) {
            // InternViT-6B normalises q and k over all heads together (embed_dim wide), before the head split.
            int c3 = 3 * c;
            Parallel.BlockBody qk = (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    Norms.rmsNormRow(b.qkv(), r * c3, b.qkv(), r * c3, c, lw.qNorm(), eps);
                    Norms.rmsNormRow(b.qkv(), r * c3 + c, b.qkv(), r * c3 + c, c, lw.kNorm(), eps);
                }
            };
            if ((long) rows * c < 1 << 15) qk.run(0, rows);
            else Parallel.forBlocks(rows, qk);
        }
        attention(b, tiles, seq);
        Gemm.matmul(b.a(), rows, lw.proj(), lw.projBias(), b.x());
        RowOps.addScaled(h, b.x(), lw.ls1(), rows, c);

        // ---- MLP block, in row chunks so the [rows, intermediate] activation never exists whole
        norm(h, b.x(), rows, lw.norm2Weight(), lw.norm2Bias(), eps);
        for (int r0 = 0; r0 < rows; r0 += b.mlpRows()) {
            int m = Math.min(b.mlpRows(), rows - r0);
            Gemm.matmul(b.x(), r0 * c, m, lw.fc1(), lw.fc1Bias(), b.u(), 0);
            RowOps.gelu(b.u(), 0, m * inter);
            Gemm.matmul(b.u(), 0, m, lw.fc2(), lw.fc2Bias(), b.a(), r0 * c);
        }
        RowOps.addScaled(h, b.a(), lw.ls2(), rows, c);
    }

    private void norm(float[] x, float[] out, int rows, float[] weight, float[] bias, float eps) {
        if (cfg.normType() == InternVitConfig.NormType.LAYER_NORM) Norms.layerNorm(x, out, rows, cfg.hiddenSize(), weight, bias, eps);
        else Norms.rmsNorm(x, out, rows, cfg.hiddenSize(), weight, eps);
    }

    /**
     * Per tile: softmax(q·kᵀ·scale)·v for all heads, queries, keys and values read in place from the fused qkv rows
     * and the result written straight into {@code b.a()}.
     */
    private void attention(Buffers b, int tiles, int seq) {
        int c = cfg.hiddenSize(), c3 = 3 * c, hd = cfg.headDim(), heads = cfg.numHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] qkv = b.qkv();
        for (int t = 0; t < tiles; t++) {
            int row0 = t * seq;
            Attention.attention(qkv, row0 * c3, c3, qkv, row0 * c3 + c, c3, hd, qkv, row0 * c3 + 2 * c, c3, hd, b.a(), row0 * c, c,
                    seq, seq, heads, heads, hd, scale, false, 0);
        }
    }
}
