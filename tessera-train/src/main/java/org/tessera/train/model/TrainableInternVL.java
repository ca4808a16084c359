package org.tessera.train.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.tensor.Tensor;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.train.Init;
import org.tessera.train.Parameter;
import org.tessera.train.ParameterStore;
import org.tessera.train.nn.CrossEntropy;
import org.tessera.train.nn.Embedding;
import org.tessera.train.nn.Linear;
import org.tessera.train.nn.Lora;
import org.tessera.train.nn.PixelShuffle;
import org.tessera.train.nn.RmsNorm;
import org.tessera.train.nn.RotaryEmbedding;

/**
 * An InternVL chat model (InternViT, pixel shuffle, {@code mlp1}, Qwen2) as a trainable graph: the runtime's forward
 * computed on the same kernels in the same order (so its logits are the runtime's), plus a backward pass for every
 * part, LoRA / Partial LoRA adapters on the language model's projections, and export to the public checkpoint layout.
 *
 * <p>Loss: cross-entropy of the next token at the supervised positions only ({@link Batch#targets}), summed; logits
 * are computed only for those rows (the head is the largest matrix of a small model).
 *
 * <p>Not thread-safe: a forward saves activations in the layers for the following backward.
 */
public final class TrainableInternVL implements AutoCloseable {
    static final String LM = "language_model.";

    private final InternVLConfig cfg;
    private final ParameterStore store;
    private final Checkpoint checkpoint;
    private final int imgContextId;
    private final VisionEncoder vision;
    private final PixelShuffle shuffle;
    private final Projector projector;
    private final Embedding embed;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final RmsNorm finalNorm;
    private final Linear head;
    private final boolean tied;
    private final List<Parameter> adapters = new ArrayList<>();

    // the patch readout (training a reader from scratch), when attached
    private Linear patchReadout;
    private float patchReadoutWeight;
    private double patchLoss;
    private int patchCount, patchCorrect, glyphCount, glyphCorrect;

    // saved by forward for backward
    private boolean[] imageRows;
    private float[] hidden;
    private float[] features;

    private TrainableInternVL(InternVLConfig cfg, ParameterStore store, Checkpoint checkpoint, int imgContextId) {
        this.cfg = cfg;
        this.store = store;
        this.checkpoint = checkpoint;
        this.imgContextId = imgContextId;
        if (cfg.imageSize() != cfg.vision().imageSize()) {
            throw new IllegalArgumentException("training needs force_image_size (" + cfg.imageSize() + ") to equal the vision image_size ("
                    + cfg.vision().imageSize() + "): other sizes resample the position table, which has no backward here");
        }
        float lsInit = 1.0f;
        vision = new VisionEncoder(store, cfg.vision(), cfg.featureLayer(), lsInit);
        shuffle = new PixelShuffle(cfg.grid(), cfg.vision().hiddenSize(), cfg.downsampleFactor(), cfg.pixelShuffle());
        if (!(cfg.llm() instanceof Qwen2Config l)) {
            throw new IllegalArgumentException("training supports Qwen2 language models (" + Qwen2Config.ARCHITECTURE + "); this model's is "
                    + cfg.llm().architecture() + ", which runs for inference but has no training layers yet");
        }
        projector = new Projector(store, cfg.projectorInput(), l.hiddenSize());
        String m = LM + "model.";
        Parameter table = store.matrix(m + "embed_tokens.weight", new long[] {l.vocabSize(), l.hiddenSize()}, Init.normal(0.02));
        table.weightDecay(false);
        embed = new Embedding(table);
        RotaryEmbedding rope = new RotaryEmbedding(l.headDim(), l.ropeTheta(), l.maxPositions());
        for (int i = 0; i < l.numLayers(); i++) layers.add(new DecoderLayer(store, m + "layers." + i + ".", l, rope));
        finalNorm = new RmsNorm(store.vector(m + "norm.weight", new long[] {l.hiddenSize()}, Init.ones()), (float) l.rmsNormEps());
        String headName = LM + "lm_head.weight";
        // As the runtime: tied by the config, or untied but saved without a head (then the embedding serves).
        tied = l.tieWordEmbeddings() || (checkpoint != null && !checkpoint.contains(headName));
        head = new Linear(tied ? table : store.matrix(headName, new long[] {l.vocabSize(), l.hiddenSize()}, Init.normal(0.02)), null);
        for (Parameter p : store.all()) if (p.name().endsWith("position_embedding") || p.name().endsWith("class_embedding")) p.weightDecay(false);
    }

    /**
     * Loads a model directory's config.json and weights (memory-mapped; close the model to unmap). Without
     * weights there, every tensor is initialised from {@code seed} instead.
     *
     * @param imgContextId the {@code <IMG_CONTEXT>} token id (from the tokenizer)
     */
    public static TrainableInternVL load(Path dir, int imgContextId, long seed) {
        InternVLConfig cfg = InternVLConfig.load(dir);
        boolean hasWeights = Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE)) || Files.isRegularFile(dir.resolve(Checkpoint.INDEX_FILE));
        if (!hasWeights) return new TrainableInternVL(cfg, ParameterStore.random(seed), null, imgContextId);
        Checkpoint c = Checkpoint.open(dir);
        try {
            return new TrainableInternVL(cfg, ParameterStore.fromCheckpoint(c, seed), c, imgContextId);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A model initialised from {@code seed} (training from scratch). */
    public static TrainableInternVL random(InternVLConfig cfg, int imgContextId, long seed) {
        return new TrainableInternVL(cfg, ParameterStore.random(seed), null, imgContextId);
    }

    public InternVLConfig config() { return cfg; }

    public ParameterStore parameters() { return store; }

    public int imgContextTokenId() { return imgContextId; }

    public boolean tiedHead() { return tied; }

    // ------------------------------------------------------------------ parameter groups (for the recipes)

    /** Patch, class and position embeddings. */
    public List<Parameter> visionEmbeddings() { return vision.embeddingParameters(); }

    /** Each encoder layer's tensors, in order (all layers, also those a select_layer leaves unused). */
    public List<List<Parameter>> visionLayers() {
        List<List<Parameter>> l = new ArrayList<>();
        for (VitLayer v : vision.layers()) l.add(v.parameters());
        return l;
    }

    public List<Parameter> projectorParameters() { return projector.parameters(); }

    /** The language model's own tensors: embedding, layers, final norm, head (once when tied). */
    public List<Parameter> languageParameters() {
        List<Parameter> l = new ArrayList<>();
        l.add(embed.table());
        for (DecoderLayer d : layers) l.addAll(d.parameters());
        l.add(finalNorm.weight());
        if (!tied) l.add(head.weight());
        return l;
    }

    /** LoRA / Partial LoRA tensors. */
    public List<Parameter> adapters() { return adapters; }

    /**
     * Attaches an adapter of rank {@code rank} to each language-model projection whose module name (e.g.
     * {@code self_attn.q_proj}, {@code mlp.down_proj}) is in {@code targets}: A initialised as PyTorch's Linear
     * (uniform ±1/√in), B zero. Partial adapters act on image-token positions only and are named
     * {@code Plora_A}/{@code Plora_B} (InternLM-XComposer2's names), plain ones {@code lora_A}/{@code lora_B}.
     */
    public void attachLora(int rank, float alpha, boolean partial, Collection<String> targets) {
        if (!adapters.isEmpty()) throw new IllegalStateException("adapters are already attached");
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        Set<String> known = Set.copyOf(DecoderLayer.linearNames());
        for (String t : targets) {
            if (!known.contains(t)) throw new IllegalArgumentException("unknown LoRA target '" + t + "' (known: " + String.join(", ", DecoderLayer.linearNames()) + ")");
        }
        String tag = partial ? "Plora_" : "lora_";
        for (int i = 0; i < layers.size(); i++) {
            List<Linear> lin = layers.get(i).linears();
            List<String> names = DecoderLayer.linearNames();
            for (int j = 0; j < lin.size(); j++) {
                if (!targets.contains(names.get(j))) continue;
                Linear l = lin.get(j);
                String base = LM + "model.layers." + i + "." + names.get(j) + ".";
                Parameter a = store.fresh(base + tag + "A.weight", new long[] {rank, l.in()}, true, Init.kaimingUniform());
                Parameter b = store.fresh(base + tag + "B.weight", new long[] {l.out(), rank}, true, Init.zeros());
                a.trainable(true);
                b.trainable(true);
                adapters.add(a);
                adapters.add(b);
                l.lora(new Lora(a, b, alpha, partial));
            }
        }
    }

    /** Name prefix of the patch readout's tensors, which are never exported (the runtime has no use for them). */
    public static final String PATCH_READOUT = "aux.patch_readout.";
    /** Character classes of the patch readout: ASCII codes, 0 for no character. */
    public static final int PATCH_CLASSES = 128;
    /**
     * Characters the patch readout names per patch, in reading order: where text is denser than the patches (two or
     * three characters of small text in one 14 px patch), one label per patch would let the features keep only one
     * of them, and the decoder needs them all.
     */
    public static final int PATCH_SLOTS = 4;

    /**
     * Attaches an auxiliary head for training a reader from scratch: a linear map from each patch's InternViT feature
     * to the characters drawn there ({@link #PATCH_SLOTS} of them, in reading order), trained with cross-entropy at
     * {@code weight} on batches with {@link Batch#patchLabels()}. Why: trained only through the language model, the image tokens of text images
     * collapse to a constant within a few hundred steps (most patches are blank paper, the decoder learns to use the
     * tokens as a bias, and once they are constant no gradient says where the characters are). Supervising every
     * patch directly makes the features tell glyphs apart from the first step, and the decoder then learns to read
     * them. The head is not part of InternVL and is left out of the export.
     */
    public void attachPatchReadout(float weight) {
        if (patchReadout != null) throw new IllegalStateException("the patch readout is already attached");
        if (!(weight > 0)) throw new IllegalArgumentException("the patch readout's weight must be positive");
        int c = cfg.vision().hiddenSize();
        Parameter w = store.fresh(PATCH_READOUT + "weight", new long[] {PATCH_SLOTS * PATCH_CLASSES, c}, true, Init.normal(0.02));
        Parameter b = store.fresh(PATCH_READOUT + "bias", new long[] {PATCH_SLOTS * PATCH_CLASSES}, false, Init.zeros());
        b.weightDecay(false);
        w.trainable(true);
        b.trainable(true);
        patchReadout = new Linear(w, b);
        patchReadoutWeight = weight;
    }

    /**
     * The patch readout over the labelled slots of the last forwardBackward: mean loss (NaN: none), slots and how
     * many it classified right, and the same for the slots with a character (the blank ones are most).
     */
    public record PatchReadout(double loss, int patches, int correct, int glyphPatches, int glyphCorrect) {}

    public PatchReadout lastPatchReadout() {
        return new PatchReadout(patchCount == 0 ? Double.NaN : patchLoss / patchCount, patchCount, patchCorrect, glyphCount, glyphCorrect);
    }

    // ------------------------------------------------------------------ forward / backward

    /**
     * A forward-only evaluation: summed loss, and how many supervised tokens and whole sequences the model gets right
     * by argmax (a sequence whose every supervised token is the argmax is one greedy decoding reproduces exactly).
     */
    public record Evaluation(double loss, int supervised, int correctTokens, int sequences, int correctSequences) {}

    /** The summed loss over the supervised positions (forward only; nothing is kept). */
    public double loss(Batch b) {
        return evaluate(b).loss();
    }

    /** See {@link Evaluation}. */
    public Evaluation evaluate(Batch b) {
        forward(b);
        int[] rows = supervisedRows(b);
        double loss = 0;
        int vocab = cfg.llm().vocabSize();
        boolean[] rowOk = new boolean[rows.length];
        int correct = 0;
        if (rows.length > 0) {
            float[] logits = headForward(rows);
            int[] targets = targetsOf(b, rows);
            for (int i = 0; i < rows.length; i++) {
                int arg = 0;
                for (int j = 1; j < vocab; j++) if (logits[i * vocab + j] > logits[i * vocab + arg]) arg = j;
                rowOk[i] = arg == targets[i];
                if (rowOk[i]) correct++;
            }
            loss = CrossEntropy.lossAndGrad(logits, rows.length, vocab, targets, 0f, false);
        }
        int seqs = 0, seqOk = 0, r = 0;
        for (int s = 0; s + 1 < b.segments().length; s++) {
            boolean any = false, ok = true;
            while (r < rows.length && rows[r] < b.segments()[s + 1]) {
                any = true;
                ok &= rowOk[r++];
            }
            if (any) {
                seqs++;
                if (ok) seqOk++;
            }
        }
        clear();
        return new Evaluation(loss, rows.length, correct, seqs, seqOk);
    }

    /**
     * Forward and backward over {@code b}: accumulates into the trainable parameters' gradients the gradient of
     * {@code scale · (summed loss)} and returns the summed loss. With scale = 1 / (supervised tokens of the whole
     * optimiser step), micro-batches accumulate to the gradient of the mean loss.
     */
    public double forwardBackward(Batch b, float scale) {
        patchCount = 0; // no readout figures for a batch that never reaches it
        forward(b);
        int[] rows = supervisedRows(b);
        int d = cfg.llm().hiddenSize(), n = b.tokens();
        if (rows.length == 0) {
            clear();
            return 0;
        }
        float[] logits = headForward(rows);
        double loss = CrossEntropy.lossAndGrad(logits, rows.length, cfg.llm().vocabSize(), targetsOf(b, rows), scale, true);
        float[] dGathered = finalNorm.backward(head.backward(logits, true));
        float[] dx = new float[n * d];
        for (int i = 0; i < rows.length; i++) System.arraycopy(dGathered, i * d, dx, rows[i] * d, d);

        boolean imagePathTrains = b.tiles() > 0 && (projector.trainable() || vision.trainable());
        int lowest = embed.table().trainable() || imagePathTrains ? -1 : lowestTrainableLayer();
        for (int l = layers.size() - 1; l >= Math.max(0, lowest) && l >= 0; l--) dx = layers.get(l).backward(dx, l > lowest);
        if (lowest == -1) {
            embed.backward(dx);
            if (imagePathTrains) {
                int k = cfg.tokensPerTile(), rowsImg = b.tiles() * k;
                float[] dImg = new float[rowsImg * d];
                int next = 0;
                for (int t = 0; t < n; t++) if (imageRows[t]) System.arraycopy(dx, t * d, dImg, (next++) * d, d);
                float[] dMerged = projector.backward(dImg, vision.trainable());
                if (vision.trainable()) {
                    float[] dFeatures = shuffle.backward(dMerged, b.tiles());
                    patchReadoutBackward(b, dFeatures);
                    vision.backward(dFeatures);
                }
            }
        }
        clear();
        return loss;
    }

    /**
     * Adds the patch readout's gradient (mean over the labelled slots, times its weight) to {@code dFeatures}. The
     * labels hold k slots per patch ({@code [tiles, patches, k]}, 1 ≤ k ≤ {@link #PATCH_SLOTS}); slots past k, and
     * slots labelled −1, are not supervised.
     */
    private void patchReadoutBackward(Batch b, float[] dFeatures) {
        patchLoss = 0;
        patchCount = 0;
        patchCorrect = 0;
        glyphCount = 0;
        glyphCorrect = 0;
        if (patchReadout == null || b.patchLabels() == null) return;
        int c = cfg.vision().hiddenSize(), g = cfg.vision().gridSize(), seq = 1 + g * g, patches = b.tiles() * g * g;
        int[] labels = b.patchLabels();
        int k = labels.length / Math.max(1, patches);
        if (k < 1 || k > PATCH_SLOTS || labels.length != patches * k) {
            throw new IllegalArgumentException(labels.length + " patch labels for " + b.tiles() + " tiles of " + g * g
                    + " patches (1 to " + PATCH_SLOTS + " per patch)");
        }
        int n = 0, m = 0;
        for (int p = 0; p < patches; p++) {
            boolean any = false;
            for (int j = 0; j < k; j++) {
                int l = labels[p * k + j];
                if (l >= PATCH_CLASSES) throw new IllegalArgumentException("patch label " + l + " outside [0, " + PATCH_CLASSES + ")");
                if (l >= 0) { any = true; m++; }
            }
            if (any) n++;
        }
        if (m == 0) return;
        int width = PATCH_SLOTS * PATCH_CLASSES;
        int[] rows = new int[n], targets = new int[m], at = new int[m];
        float[] x = new float[n * c];
        for (int p = 0, r = 0, t = 0; p < patches; p++) {
            boolean any = false;
            for (int j = 0; j < k; j++) {
                int l = labels[p * k + j];
                if (l < 0) continue;
                any = true;
                targets[t] = l;
                at[t++] = r * width + j * PATCH_CLASSES;
            }
            if (!any) continue;
            rows[r] = (p / (g * g)) * seq + 1 + p % (g * g); // skip each tile's class token
            System.arraycopy(features, rows[r] * c, x, r * c, c);
            r++;
        }
        float[] logits = patchReadout.forward(x, n);
        float[] slots = new float[m * PATCH_CLASSES];
        for (int t = 0; t < m; t++) {
            System.arraycopy(logits, at[t], slots, t * PATCH_CLASSES, PATCH_CLASSES);
            int arg = 0;
            for (int j = 1; j < PATCH_CLASSES; j++) if (slots[t * PATCH_CLASSES + j] > slots[t * PATCH_CLASSES + arg]) arg = j;
            if (arg == targets[t]) patchCorrect++;
            if (targets[t] != 0) {
                glyphCount++;
                if (arg == targets[t]) glyphCorrect++;
            }
        }
        patchLoss = CrossEntropy.lossAndGrad(slots, m, PATCH_CLASSES, targets, patchReadoutWeight / m, true);
        patchCount = m;
        java.util.Arrays.fill(logits, 0f); // the unsupervised slots get no gradient
        for (int t = 0; t < m; t++) System.arraycopy(slots, t * PATCH_CLASSES, logits, at[t], PATCH_CLASSES);
        float[] dx = patchReadout.backward(logits, true);
        for (int r = 0; r < n; r++) {
            int o = rows[r] * c;
            for (int j = 0; j < c; j++) dFeatures[o + j] += dx[r * c + j];
        }
        patchReadout.clear();
    }

    private int lowestTrainableLayer() {
        for (int l = 0; l < layers.size(); l++) if (layers.get(l).trainable()) return l;
        return layers.size(); // only the final norm / head (or nothing) train
    }

    /** Every position's logits {@code [tokens, vocab]}: what the runtime's forward returns for one sequence. */
    public float[] logits(Batch b) {
        forward(b);
        int[] all = new int[b.tokens()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        float[] logits = headForward(all);
        clear();
        return logits;
    }

    /** The image features spliced into the prompt, {@code [tiles·k, hidden]} (for checks against the runtime). */
    public float[] imageEmbeddings(float[] pixels, int tiles) {
        float[] f = vision.forward(pixels, tiles, cfg.imageSize());
        float[] out = projector.forward(shuffle.forward(f, tiles), tiles * cfg.tokensPerTile());
        vision.clear();
        projector.clear();
        return out;
    }

    private void forward(Batch b) {
        int d = cfg.llm().hiddenSize(), n = b.tokens();
        int k = cfg.tokensPerTile();
        imageRows = new boolean[n];
        int count = 0;
        for (int t = 0; t < n; t++) if (b.ids()[t] == imgContextId) {
            imageRows[t] = true;
            count++;
        }
        if (count != b.tiles() * k) {
            throw new IllegalArgumentException("the batch holds " + count + " <IMG_CONTEXT> tokens but " + b.tiles() + " tiles give " + b.tiles() * k);
        }
        float[] x = embed.forward(b.ids(), imageRows);
        if (b.tiles() > 0) {
            features = vision.forward(b.pixels(), b.tiles(), cfg.imageSize());
            float[] img = projector.forward(shuffle.forward(features, b.tiles()), b.tiles() * k);
            int next = 0;
            for (int t = 0; t < n; t++) if (imageRows[t]) System.arraycopy(img, (next++) * d, x, t * d, d);
        }
        boolean[] mask = partialLora() ? imageRows : null;
        for (DecoderLayer layer : layers) x = layer.forward(x, n, b.segments(), mask);
        this.hidden = x;
    }

    private boolean partialLora() {
        for (DecoderLayer l : layers) for (Linear lin : l.linears()) if (lin.lora() != null && lin.lora().partial()) return true;
        return false;
    }

    private float[] headForward(int[] rows) {
        int d = cfg.llm().hiddenSize();
        float[] g = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) System.arraycopy(hidden, rows[i] * d, g, i * d, d);
        return head.forward(finalNorm.forward(g, rows.length), rows.length);
    }

    private static int[] supervisedRows(Batch b) {
        int n = 0;
        for (int t : b.targets()) if (t >= 0) n++;
        int[] rows = new int[n];
        int i = 0;
        for (int t = 0; t < b.targets().length; t++) if (b.targets()[t] >= 0) rows[i++] = t;
        return rows;
    }

    private static int[] targetsOf(Batch b, int[] rows) {
        int[] t = new int[rows.length];
        for (int i = 0; i < rows.length; i++) t[i] = b.targets()[rows[i]];
        return t;
    }

    private void clear() {
        vision.clear();
        projector.clear();
        embed.clear();
        for (DecoderLayer l : layers) l.clear();
        finalNorm.clear();
        head.clear();
        hidden = null;
        features = null;
        imageRows = null;
    }

    // ------------------------------------------------------------------ export

    /** A tensor to write: the checkpoint's own bytes (unchanged) or float32 values. */
    public record ExportTensor(String name, long[] shape, Tensor source, float[] values) {}

    /**
     * The model's tensors in the public layout the runtime loads: unchanged frozen tensors as their checkpoint
     * bytes, trained ones as float32, plain LoRA adapters merged into their base weights. Partial LoRA adapters cannot
     * be merged (they act on image tokens only) and are left out here: see {@link #exportAdapters()}.
     */
    public List<ExportTensor> exportModel() {
        Map<String, float[]> merged = new LinkedHashMap<>();
        for (DecoderLayer d : layers) {
            for (Linear l : d.linears()) {
                if (l.lora() != null && !l.lora().partial()) merged.put(l.weight().name(), l.lora().merged(l.weight().toFloats()));
            }
        }
        Set<String> adapterNames = new java.util.HashSet<>();
        for (Parameter p : adapters) adapterNames.add(p.name());
        List<ExportTensor> out = new ArrayList<>();
        for (Parameter p : store.all()) {
            if (adapterNames.contains(p.name()) || p.name().startsWith(PATCH_READOUT)) continue;
            float[] m = merged.get(p.name());
            if (m != null) out.add(new ExportTensor(p.name(), p.shape(), null, m));
            else if (p.modified() || p.source() == null) out.add(new ExportTensor(p.name(), p.shape(), null, p.toFloats()));
            else out.add(new ExportTensor(p.name(), p.shape(), p.source(), null));
        }
        return out;
    }

    /** The adapters' tensors (A and B of every adapted projection), float32. */
    public List<ExportTensor> exportAdapters() {
        List<ExportTensor> out = new ArrayList<>();
        for (Parameter p : adapters) out.add(new ExportTensor(p.name(), p.shape(), null, p.toFloats()));
        return out;
    }

    @Override
    public void close() {
        if (checkpoint != null) checkpoint.close();
    }
}
