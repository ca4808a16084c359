package org.tessera.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tessera.model.ModelException;
import org.tessera.model.generate.GenerationConfig;
import org.tessera.model.generate.Generator;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.text.ChatTemplate;
import org.tessera.model.text.ImageTokenLayout;
import org.tessera.model.text.LayoutImageTokens;
import org.tessera.model.text.Tokenizer;
import org.tessera.model.text.Tokenizers;
import org.tessera.model.text.Turn;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TilePlan;
import org.tessera.vision.tiling.TilingStrategy;

/**
 * A vision-language model loaded once and asked many times: the entry point of tessera's Java API.
 *
 * <pre>{@code
 * try (VisionLanguageModel vlm = VisionLanguageModel.load(Path.of("models/InternVL2_5-1B"))) {
 *     Answer a = vlm.ask(Request.of("What is the total?", Path.of("receipt.png")));
 *     System.out.println(a.text());
 * }
 * }</pre>
 *
 * <p>What a call does, as the model card's {@code chat()} does it: decode each image, plan and cut its tiles
 * (Pillow-exact), encode all tiles of the call in one batch (InternViT, pixel shuffle, {@code mlp1}), write the prompt
 * with the checkpoint's conversation template and the images' tokens, then generate with a KV cache until the
 * template's stop token.
 *
 * <p>Thread-safe: the weights are read-only and every call keeps its state (KV cache, buffers) to itself, so any
 * number of threads may call {@link #ask} at once; a {@link ChatSession} is one conversation and serialises its own
 * calls. Close the model to unmap its weights; nothing may be used after that.
 */
public final class VisionLanguageModel implements AutoCloseable {
    /** Prompt tokens processed per step while reporting progress (the language model's own chunk size). */
    private static final int PROMPT_CHUNK = 512;

    /**
     * How to load.
     *
     * @param int8Llm         quantise the language model's matrices to int8 blocks at load time (faster decoding,
     *                        small accuracy cost)
     * @param imageOptions    how images are decoded: pixel limit, PDF resolution, alpha handling
     * @param maxPromptTokens refuse prompts (image tokens included) longer than this with a
     *                        {@link PromptTooLongException} before the images are encoded; 0: only the model's context
     *                        limits them
     */
    public record Options(boolean int8Llm, ImageLoadOptions imageOptions, int maxPromptTokens) {
        public Options {
            Objects.requireNonNull(imageOptions, "imageOptions");
            if (maxPromptTokens < 0) throw new IllegalArgumentException("maxPromptTokens must be 0 (no limit) or positive, got " + maxPromptTokens);
        }

        public Options(boolean int8Llm, ImageLoadOptions imageOptions) {
            this(int8Llm, imageOptions, 0);
        }

        public static Options defaults() {
            return new Options(false, ImageLoadOptions.defaults(), 0);
        }

        public Options withInt8Llm(boolean v) { return new Options(v, imageOptions, maxPromptTokens); }

        public Options withImageOptions(ImageLoadOptions v) { return new Options(int8Llm, v, maxPromptTokens); }

        public Options withMaxPromptTokens(int v) { return new Options(int8Llm, imageOptions, v); }
    }

    private final Path dir;
    private final InternVLModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final GenerationConfig defaults;
    private final Generator generator;
    private final Options options;

    private VisionLanguageModel(Path dir, InternVLModel model, Tokenizer tokenizer, ChatTemplate template,
                                GenerationConfig defaults, Options options) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.defaults = defaults;
        this.options = options;
        this.generator = new Generator(model.language(), tokenizer);
    }

    /** Loads a model directory in the public InternVL layout with default options. */
    public static VisionLanguageModel load(Path dir) {
        return load(dir, Options.defaults());
    }

    /**
     * Loads a model directory: config.json, the safetensors weights (memory-mapped), the tokenizer files,
     * generation_config.json (optional). Errors say which file is missing or what is unsupported.
     */
    public static VisionLanguageModel load(Path dir, Options options) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": no such model directory (a model directory holds config.json, *.safetensors and the tokenizer files)");
        }
        InternVLModel model = InternVLModel.load(dir, options.int8Llm());
        try {
            Tokenizer tok = Tokenizers.loadDirectory(dir);
            InternVLConfig cfg = model.config();
            if (cfg.template() == null) {
                throw new ModelException(dir.resolve("config.json") + ": names no conversation \"template\" (known: Hermes-2, internlm2-chat,"
                        + " phi3-chat, internvl2_5)");
            }
            ChatTemplate template;
            try {
                template = ChatTemplate.byName(cfg.template());
            } catch (IllegalArgumentException e) {
                throw new ModelException(dir.resolve("config.json") + ": " + e.getMessage());
            }
            String system = systemMessage(dir);
            if (system != null) template = template.withSystemMessage(system);
            int stop;
            try {
                stop = template.stopTokenId(tok);
            } catch (IllegalArgumentException e) {
                throw new ModelException(dir + ": " + e.getMessage() + " (the " + template.name() + " template ends turns with it)");
            }
            if (tok.vocabSize() > model.language().vocabSize()) {
                throw new ModelException(dir + ": the tokenizer has " + tok.vocabSize() + " ids but the model's embedding has "
                        + model.language().vocabSize() + " rows");
            }
            GenerationConfig defaults = GenerationConfig.fromModelDirectory(dir).withStopTokenIds(stop);
            return new VisionLanguageModel(dir, model, tok, template, defaults, options);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** {@code config.system_message} when the checkpoint sets one ({@code chat()} then uses it). */
    private static String systemMessage(Path dir) {
        var c = org.tessera.model.ConfigNode.read(dir.resolve("config.json"));
        return c.stringOr("system_message", null);
    }

    public Path directory() { return dir; }

    /** The runtime underneath, for interop (logits, embeddings). */
    public InternVLModel model() { return model; }

    public Tokenizer tokenizer() { return tokenizer; }

    public ChatTemplate template() { return template; }

    /** The generation settings a call starts from: generation_config.json plus the template's stop token. */
    public GenerationConfig generationDefaults() { return defaults; }

    /** The plan {@code tiling} makes for an image, without encoding it. */
    public TilePlan plan(ImageInput image, Tiling tiling) {
        RgbImage img = image.load(options.imageOptions());
        return strategy(tiling, false).plan(img.width(), img.height());
    }

    /**
     * One image made ready for the encoder exactly as {@link #ask} makes it: the tiler's plan, the normalised tiles
     * {@code [tiles, 3, S, S]} and the prompt text that stands for the image (its {@code <img>}, context tokens and
     * tags). For callers that run the encoder themselves, such as training.
     */
    public record PreparedImage(TilePlan plan, TileBatch tiles, ImageTokenLayout tokens) {}

    /** Decodes, plans and cuts {@code image} with {@code tiling} (null: the model's own settings) as {@link #ask} does. */
    public PreparedImage prepareImage(ImageInput image, Tiling tiling) {
        Objects.requireNonNull(image, "image");
        Prepared p = prepare(List.of(image), false, tiling);
        return new PreparedImage(p.plans().get(0), p.batches().get(0), p.layouts().get(0));
    }

    /** Answers one question (see {@link Request} for how images are placed in the prompt). */
    public Answer ask(Request request) {
        return ask(request, GenerationListener.NONE);
    }

    /** Answers one question, streaming through {@code listener}. */
    public Answer ask(Request request, GenerationListener listener) {
        Objects.requireNonNull(request, "request");
        GenerationListener l = listener == null ? GenerationListener.NONE : listener;
        GenerationConfig cfg = request.sampling().over(defaults);
        long t0 = System.nanoTime();
        Prepared prepared = prepare(request.images(), request.video(), request.tiling());
        ChatTemplate.Query q = query(request, prepared);
        int[] ids = tokenizer.encode(q.text(), true);
        checkPromptLength(ids.length);
        List<EncodedImage> images = encode(prepared, l);
        long visionNanos = System.nanoTime() - t0;
        LanguageModel.Cache cache = model.language().newCache(Math.min(model.language().maxPositions(), ids.length + cfg.maxNewTokens()));
        Turned r = run(ids, images, cache, 0, cfg, l);
        return r.answer(images, visionNanos);
    }

    /**
     * The prompt text {@link #ask} would give the tokenizer for {@code request}, image tokens expanded, without
     * running the model (the images are decoded and planned).
     */
    public String promptText(Request request) {
        return query(request, prepare(request.images(), request.video(), request.tiling())).text();
    }

    /**
     * The prompt {@link #ask} would run for {@code request}, ready for teacher forcing or scoring: its token ids and
     * the language model's input embeddings {@code [ids.length, hidden]}, image features already in the
     * {@code <IMG_CONTEXT>} rows. Nothing is generated. Append continuation tokens with
     * {@code model().language().embed(ids)} and run {@code model().language()} over the whole to get their logits.
     */
    public PromptEmbeddings embedPrompt(Request request) {
        Objects.requireNonNull(request, "request");
        Prepared prepared = prepare(request.images(), request.video(), request.tiling());
        int[] ids = tokenizer.encode(query(request, prepared).text(), true);
        checkPromptLength(ids.length);
        List<EncodedImage> images = encode(prepared, GenerationListener.NONE);
        return new PromptEmbeddings(ids, model.inputEmbeddings(ids, imageRows(images)), model.language().hiddenSize());
    }

    private ChatTemplate.Query query(Request request, Prepared prepared) {
        String question = request.question();
        List<Turn> history = request.history().isEmpty() ? null : request.history();
        int n = prepared.plans().size();
        boolean placed = question.contains(ChatTemplate.IMAGE_PLACEHOLDER);
        if (history != null) for (Turn t : history) placed |= t.user().contains(ChatTemplate.IMAGE_PLACEHOLDER);
        if (!placed) {
            if (request.video()) question = ChatTemplate.videoPrefix(n) + question;
            else if (n > 1) question = ChatTemplate.multiImagePrefix(n) + question;
            // chat() prepends "<image>\n" itself only to a first question; with a history the images are this question's.
            else if (n == 1 && history != null) question = ChatTemplate.IMAGE_PLACEHOLDER + "\n" + question;
        }
        ChatTemplate t = request.systemMessage() == null ? template : template.withSystemMessage(request.systemMessage());
        return t.query(history, question, prepared.layouts());
    }

    void checkPromptLength(int t) {
        int max = model.language().maxPositions();
        if (t + 1 > max) {
            throw new PromptTooLongException(t, max - 1, "the prompt is " + t + " tokens but the model's context holds " + max
                    + " (fewer or smaller images, or a lower tile budget, make it shorter)");
        }
        int limit = options.maxPromptTokens();
        if (limit > 0 && t > limit) {
            throw new PromptTooLongException(t, limit, "the prompt is " + t + " tokens, more than the limit of " + limit
                    + " (fewer or smaller images, or a lower tile budget, make it shorter)");
        }
    }

    /** A new conversation with the model's default tiling and sampling. */
    public ChatSession newChat() {
        return new ChatSession(this, Tiling.MODEL_DEFAULT, Sampling.MODEL_DEFAULT);
    }

    /** A new conversation with these defaults for its turns. */
    public ChatSession newChat(Tiling tiling, Sampling sampling) {
        return new ChatSession(this, tiling, sampling);
    }

    // ---------------------------------------------------------------- shared by ask() and ChatSession

    TilingStrategy strategy(Tiling tiling, boolean videoFrame) {
        InternVLConfig cfg = model.config();
        TilingStrategy s = videoFrame ? Tiling.videoFrame(cfg) : (tiling == null ? Tiling.MODEL_DEFAULT : tiling).resolve(cfg);
        return s;
    }

    /** Images decoded, planned and cut into normalised tiles: everything before the encoder. */
    record Prepared(List<TilePlan> plans, List<TileBatch> batches) {
        static final Prepared NONE = new Prepared(List.of(), List.of());

        List<ImageTokenLayout> layouts() {
            List<ImageTokenLayout> l = new ArrayList<>(plans.size());
            for (TilePlan p : plans) l.add(new LayoutImageTokens(p.layout()));
            return l;
        }
    }

    /** Decodes, plans and renders {@code inputs}, checking each plan fits this model's prompt. */
    Prepared prepare(List<ImageInput> inputs, boolean video, Tiling tiling) {
        if (inputs.isEmpty()) return Prepared.NONE;
        TilingStrategy strategy = strategy(tiling, video);
        List<TilePlan> plans = new ArrayList<>();
        List<TileBatch> batches = new ArrayList<>();
        for (ImageInput in : inputs) {
            RgbImage img = in.load(options.imageOptions());
            TilePlan plan = strategy.plan(img.width(), img.height());
            if (plan.tokensPerTile() != model.tokensPerTile()) {
                throw new IllegalArgumentException("the " + plan.strategy() + " plan gives " + plan.tokensPerTile()
                        + " tokens per tile but the model makes " + model.tokensPerTile());
            }
            new LayoutImageTokens(plan.layout()); // refuses layouts an InternVL prompt cannot hold
            plans.add(plan);
            batches.add(strategy.render(img, plan));
        }
        return new Prepared(plans, batches);
    }

    /** Encodes all tiles of {@code p} in one batch and splits the projected features per image. */
    List<EncodedImage> encode(Prepared p, GenerationListener l) {
        if (p.plans().isEmpty()) return List.of();
        int tiles = 0;
        for (TileBatch b : p.batches()) tiles += b.count();
        int size = model.config().imageSize();
        float[] pixels = new float[Math.multiplyExact(tiles, 3 * size * size)];
        int off = 0;
        for (TileBatch b : p.batches()) {
            System.arraycopy(b.data(), 0, pixels, off, b.data().length);
            off += b.data().length;
        }
        final int total = tiles;
        int layers = model.visionLayers();
        l.onVision(total, 0, layers);
        float[] features = model.visionFeatures(pixels, total, done -> l.onVision(total, done, layers));
        float[] projected = model.project(features, total);
        int k = model.tokensPerTile(), d = model.language().hiddenSize();
        List<EncodedImage> out = new ArrayList<>();
        int row = 0;
        for (int i = 0; i < p.plans().size(); i++) {
            int n = p.batches().get(i).count() * k;
            out.add(new EncodedImage(p.plans().get(i), Arrays.copyOfRange(projected, row * d, (row + n) * d), k, d));
            row += n;
        }
        return out;
    }

    /** The feature rows of {@code images} in prompt order: what fills the {@code <IMG_CONTEXT>} positions. */
    private float[] imageRows(List<EncodedImage> images) {
        int n = 0;
        for (EncodedImage e : images) n += e.tokens().contextTokens();
        float[] rows = new float[Math.multiplyExact(n, model.language().hiddenSize())];
        int r = 0;
        for (EncodedImage e : images) r = e.gather(rows, r);
        return rows;
    }

    static List<ImageTokenLayout> layouts(List<EncodedImage> images) {
        List<ImageTokenLayout> l = new ArrayList<>(images.size());
        for (EncodedImage e : images) l.add(e.tokens());
        return l;
    }

    /** Result of one generation: the generator's result, the prompt size and the times. */
    record Turned(Generator.Result result, int promptTokens, long prefillNanos, String text, int[] promptIds) {
        Answer answer(List<EncodedImage> images, long visionNanos) {
            Answer.FinishReason fr = switch (result.stopReason()) {
                case STOP_TOKEN, STOP_STRING -> Answer.FinishReason.STOP;
                case MAX_TOKENS, CONTEXT_FULL -> Answer.FinishReason.LENGTH;
                case CANCELLED -> Answer.FinishReason.CANCELLED;
            };
            List<TilePlan> plans = new ArrayList<>();
            for (EncodedImage e : images) plans.add(e.plan());
            return new Answer(text, fr, promptTokens, result.generatedTokens(), plans, visionNanos, prefillNanos, result.decodeNanos());
        }
    }

    /**
     * Runs the prompt {@code ids} (whose first {@code reuse} positions the cache already holds) and generates. The
     * image rows of {@code images} fill the prompt's {@code <IMG_CONTEXT>} positions in order.
     */
    Turned run(int[] ids, List<EncodedImage> images, LanguageModel.Cache cache, int reuse, GenerationConfig cfg, GenerationListener l) {
        LanguageModel lm = model.language();
        int t = ids.length, d = lm.hiddenSize();
        checkPromptLength(t);
        float[] embeds = model.inputEmbeddings(ids, imageRows(images));
        if (reuse >= t) reuse = t - 1; // the last prompt token must run to give the first logits
        cache.truncate(reuse);
        long t0 = System.nanoTime();
        l.onPrompt(reuse, t);
        for (int p = reuse; p < t - 1; p += PROMPT_CHUNK) {
            int m = Math.min(PROMPT_CHUNK, t - 1 - p);
            lm.prefill(Arrays.copyOfRange(embeds, p * d, (p + m) * d), m, cache);
            l.onPrompt(p + m, t);
            if (l.cancelled()) break;
        }
        Generator.Result res;
        if (cache.length() < t - 1) { // cancelled during the prompt
            res = new Generator.Result(new int[0], "", Generator.StopReason.CANCELLED, t, System.nanoTime() - t0, 0);
        } else {
            res = generator.generate(Arrays.copyOfRange(embeds, (t - 1) * d, t * d), 1, cache, cfg, l::onText, l::cancelled);
        }
        long prefill = System.nanoTime() - t0 - res.decodeNanos();
        return new Turned(res, t, prefill, template.response(res.text()), ids);
    }

    @Override
    public void close() {
        model.close();
    }
}
