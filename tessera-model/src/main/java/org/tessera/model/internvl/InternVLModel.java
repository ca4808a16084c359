package org.tessera.model.internvl;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsException;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.Norms;
import org.tessera.model.ConfigNode;
import org.tessera.model.ModelException;
import org.tessera.model.RowOps;
import org.tessera.model.WeightReader;
import org.tessera.model.internvit.InternVit;
import org.tessera.model.llm.LanguageModel;

/**
 * An InternVL chat model ({@code InternVLChatModel}): InternViT, pixel shuffle, the {@code mlp1} projector and the
 * language model, loaded from a model directory with its weights memory-mapped.
 *
 * <pre>
 * extract_feature(pixels) = mlp1(pixel_shuffle(vit(pixels).hidden_states[select_layer][:, 1:]))
 * mlp1(x)                 = Linear₂(GELU(Linear₁(LayerNorm_eps=1e-5(x))))
 * forward(pixels, ids)    = llm(inputs_embeds = embed(ids) with the IMG_CONTEXT rows replaced, in order,
 *                                                by extract_feature(pixels) rows)
 * </pre>
 * Close it to unmap the checkpoint; nothing may be used after that.
 */
public final class InternVLModel implements AutoCloseable {
    /** The token whose embedding rows the image features replace. */
    public static final String IMG_CONTEXT = "<IMG_CONTEXT>";
    /** nn.LayerNorm's default eps, which mlp1's LayerNorm keeps. */
    static final float PROJECTOR_NORM_EPS = 1e-5f;

    private final Checkpoint checkpoint;
    private final InternVLConfig cfg;
    private final InternVLWeights w;
    private final InternVit vision;
    private final LanguageModel language;
    private final int imgContextTokenId;

    private InternVLModel(Checkpoint checkpoint, InternVLConfig cfg, InternVLWeights w, LanguageModel language, int imgContextTokenId) {
        this.checkpoint = checkpoint;
        this.cfg = cfg;
        this.w = w;
        this.vision = new InternVit(cfg.vision(), w.vision());
        this.language = language;
        this.imgContextTokenId = imgContextTokenId;
    }

    /**
     * Loads {@code dir}: {@code config.json}, the weights ({@code model.safetensors} or a sharded index), and the
     * {@code <IMG_CONTEXT>} id (from the tokenizer files when present, else config.json's {@code img_context_token_id}).
     */
    public static InternVLModel load(Path dir) {
        return load(dir, false);
    }

    /**
     * As {@link #load(Path)}; with {@code int8Llm} the language model's weight matrices are quantised to int8 blocks
     * (Q8_0) at load time: less memory read per decoded token, at an accuracy cost measured in Int8LoadTest (all three families).
     */
    public static InternVLModel load(Path dir, boolean int8Llm) {
        if (!Files.isDirectory(dir)) throw new ModelException(dir + ": not a model directory");
        InternVLConfig cfg = InternVLConfig.load(dir);
        int ctx = imgContextTokenId(dir, cfg);
        Checkpoint ckpt;
        try {
            ckpt = Checkpoint.open(dir);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
        try {
            WeightReader r = new WeightReader(ckpt);
            InternVLWeights vision = InternVLWeights.load(r, cfg);
            LanguageModel language = LanguageModels.load(r, "language_model.", cfg.llm(), int8Llm);
            return new InternVLModel(ckpt, cfg, vision, language, ctx);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /**
     * The {@code <IMG_CONTEXT>} id as the original resolves it ({@code tokenizer.convert_tokens_to_ids}): from
     * tokenizer.json's added tokens or vocabulary, or tokenizer_config.json's {@code added_tokens_decoder}; without a
     * tokenizer that defines it, config.json's {@code img_context_token_id}.
     */
    static int imgContextTokenId(Path dir, InternVLConfig cfg) {
        Path tok = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tok)) {
            ConfigNode t = ConfigNode.read(tok);
            JsonNode added = t.raw("added_tokens");
            if (added != null && added.isArray()) {
                for (JsonNode a : added) {
                    if (IMG_CONTEXT.equals(a.path("content").asText(null)) && a.path("id").canConvertToInt()) return a.get("id").intValue();
                }
            }
            JsonNode vocab = t.raw("model") == null ? null : t.raw("model").get("vocab");
            if (vocab != null && vocab.isObject() && vocab.path(IMG_CONTEXT).canConvertToInt()) return vocab.get(IMG_CONTEXT).intValue();
        }
        Path tokCfg = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tokCfg)) {
            JsonNode dec = ConfigNode.read(tokCfg).raw("added_tokens_decoder");
            if (dec != null && dec.isObject()) {
                for (Map.Entry<String, JsonNode> e : dec.properties()) {
                    if (IMG_CONTEXT.equals(e.getValue().path("content").asText(null))) {
                        try {
                            return Integer.parseInt(e.getKey());
                        } catch (NumberFormatException ignored) {
                            // a malformed key: keep looking, then fall back to config.json
                        }
                    }
                }
            }
        }
        if (cfg.imgContextTokenId() != null) return cfg.imgContextTokenId();
        throw new ModelException(dir + ": cannot tell the " + IMG_CONTEXT + " token id: no tokenizer.json or tokenizer_config.json"
                + " defines it and config.json has no img_context_token_id");
    }

    public InternVLConfig config() { return cfg; }

    public InternVit vision() { return vision; }

    /** The language model (Qwen2, InternLM2 or Phi-3, as the config says). */
    public LanguageModel language() { return language; }

    public int imgContextTokenId() { return imgContextTokenId; }

    /** Image tokens per tile (256 for 448 px tiles). */
    public int tokensPerTile() { return cfg.tokensPerTile(); }

    /** The encoder output the projector reads: {@code hidden_states[select_layer]}, {@code [tiles, 1 + N, C]}. */
    public float[] visionFeatures(float[] pixels, int tiles) {
        return visionFeatures(pixels, tiles, null);
    }

    /** As {@link #visionFeatures(float[], int)}, reporting encoder layers done (of {@link #visionLayers()}). */
    public float[] visionFeatures(float[] pixels, int tiles, java.util.function.IntConsumer onLayer) {
        return vision.forward(pixels, tiles, cfg.imageSize(), cfg.featureLayer(), onLayer);
    }

    /** Encoder layers a forward runs: {@code select_layer} resolved. */
    public int visionLayers() { return cfg.featureLayer(); }

    /** {@code extract_feature}: {@code [tiles · tokensPerTile, llm hidden]}, tiles in order. */
    public float[] extractFeature(float[] pixels, int tiles) {
        return project(visionFeatures(pixels, tiles), tiles);
    }

    /** Drops CLS, pixel-shuffles and runs mlp1 on encoder features {@code [tiles, 1 + N, C]}. */
    public float[] project(float[] features, int tiles) {
        int g = cfg.grid(), c = cfg.vision().hiddenSize();
        float[] merged = pixelShuffle(features, tiles, g, c, cfg.downsampleFactor(), cfg.pixelShuffle());
        int rows = tiles * cfg.tokensPerTile(), in = cfg.projectorInput(), d = cfg.llm().hiddenSize();
        Norms.layerNorm(merged, merged, rows, in, w.projNormWeight(), w.projNormBias(), PROJECTOR_NORM_EPS);
        float[] hidden = new float[rows * d];
        Gemm.matmul(merged, rows, w.proj1(), w.proj1Bias(), hidden);
        RowOps.gelu(hidden, 0, rows * d);
        float[] out = new float[rows * d];
        Gemm.matmul(hidden, rows, w.proj2(), w.proj2Bias(), out);
        return out;
    }

    /**
     * The original {@code pixel_shuffle} after dropping CLS, in closed form: with f the factor and g the grid,
     * merged token (i, j) holds, at feature block {@code p·f + q}, patch {@code (f·i + p, f·j + q)}. v2 orders
     * merged tokens row-major ({@code i·g/f + j}); v1 skips the final swap and so orders them column-major
     * ({@code j·g/f + i}).
     *
     * @param features {@code [tiles, 1 + g², c]}
     * @return {@code [tiles, (g/f)², f²·c]}
     */
    public static float[] pixelShuffle(float[] features, int tiles, int g, int c, int f, InternVLConfig.PixelShuffle version) {
        int seq = 1 + g * g, go = g / f, width = f * f * c;
        if (features.length != tiles * seq * c) {
            throw new IllegalArgumentException("features hold " + features.length + " floats, expected " + tiles * seq * c);
        }
        float[] out = new float[tiles * go * go * width];
        for (int n = 0; n < tiles; n++) {
            for (int i = 0; i < go; i++) {
                for (int j = 0; j < go; j++) {
                    int token = version == InternVLConfig.PixelShuffle.V2 ? i * go + j : j * go + i;
                    int dst = (n * go * go + token) * width;
                    for (int p = 0; p < f; p++) {
                        for (int q = 0; q < f; q++) {
                            int src = (n * seq + 1 + (f * i + p) * g + f * j + q) * c;
                            System.arraycopy(features, src, out, dst + (p * f + q) * c, c);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@code inputs_embeds}: the token embeddings of {@code ids} with the {@code <IMG_CONTEXT>} rows replaced by
     * {@code imageEmbeds} rows in order. The number of such ids must equal the number of image rows.
     */
    public float[] inputEmbeddings(int[] ids, float[] imageEmbeds) {
        int d = cfg.llm().hiddenSize();
        int imageRows = imageEmbeds == null ? 0 : imageEmbeds.length / d;
        int count = 0;
        for (int id : ids) if (id == imgContextTokenId) count++;
        if (count != imageRows) {
            throw new ModelException("the input ids hold " + count + " " + IMG_CONTEXT + " tokens (id " + imgContextTokenId
                    + ") but the image gives " + imageRows + " embeddings (" + (imageRows / cfg.tokensPerTile()) + " tiles × "
                    + cfg.tokensPerTile() + " tokens per tile)");
        }
        float[] x = language.embed(ids);
        int next = 0;
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] == imgContextTokenId) System.arraycopy(imageEmbeds, (next++) * d, x, t * d, d);
        }
        return x;
    }

    /** Everything one forward pass makes; arrays row-major. */
    public record Output(float[] logits, float[] imageEmbeds, float[] visionFeatures) {}

    /**
     * The reference forward pass over a whole prompt: {@code logits [T, vocab]}, the projector output
     * {@code [tiles · k, hidden]} and the encoder features {@code [tiles, 1 + N, C]}.
     *
     * @param pixels [tiles, 3, S, S] with S = the config's image size; tiles may be 0 (text only, pixels ignored)
     * @param ids    the prompt, with tiles · k {@code <IMG_CONTEXT>} ids
     */
    public Output forward(float[] pixels, int tiles, int[] ids) {
        float[] features = tiles > 0 ? visionFeatures(pixels, tiles) : new float[0];
        float[] image = tiles > 0 ? project(features, tiles) : new float[0];
        float[] x = inputEmbeddings(ids, image);
        LanguageModel.Cache cache = language.newCache(ids.length);
        float[] logits = language.forward(x, ids.length, cache);
        return new Output(logits, image, features);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
