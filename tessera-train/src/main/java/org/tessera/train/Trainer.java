package org.tessera.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.core.io.Checkpoint;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.text.Tokenizers;
import org.tessera.train.data.DataMixture;
import org.tessera.train.data.Dataset;
import org.tessera.train.data.ExampleEncoder;
import org.tessera.train.data.Sampler;
import org.tessera.train.model.Batch;
import org.tessera.train.model.TrainableInternVL;
import org.tessera.train.optim.AdamW;
import org.tessera.train.optim.GradClip;
import org.tessera.train.optim.LrSchedule;

/**
 * A training run: the loop that ties the model, the recipe, the data and the optimiser together.
 *
 * <p>Per optimiser step: draw {@code batch × grad_accum} examples from the mixture, encode them (tiles and token ids,
 * cached), run forward and backward per micro-batch with the loss scaled by 1 / (supervised tokens of the whole step)
 * so that accumulation gives the gradient of the step's mean loss, clip the global gradient norm, and take an AdamW
 * step at the scheduled rate. Every step is logged (stdout and {@code train_log.jsonl}); the held-out set, when given,
 * is evaluated before training, every {@code eval_every} steps and at the end; {@code loss.png} plots the run.
 *
 * <p>Output directory: the model in the public layout (see {@link CheckpointIO}), {@code training_args.json},
 * {@code train_log.jsonl}, {@code loss.png}, and {@code train_state/} to resume from. A model directory without weights
 * (config and tokenizer only) is first initialised from the seed into {@code OUT/init}.
 */
public final class Trainer {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param model  model directory (weights optional)
     * @param data   training data: a JSONL file or an InternVL meta JSON
     * @param images image folder for data that names no root (null: the annotation file's folder)
     * @param eval   held-out data in the same format, or null
     * @param out    output directory
     * @param stopAfter run at most this many steps in this invocation, then save and return (continue later with
     *                  resume); null for no limit. The schedule still spans {@code config.steps()}.
     */
    public record Options(Path model, Path data, Path images, Path eval, Path out, TrainConfig config, boolean resume, Integer stopAfter) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(config, "config");
            if (stopAfter != null && stopAfter < 1) throw new IllegalArgumentException("stop-after must be at least 1");
        }

        public Options(Path model, Path data, Path images, Path eval, Path out, TrainConfig config, boolean resume) {
            this(model, data, images, eval, out, config, resume, null);
        }
    }

    /** What a run did. */
    public record Result(int startStep, int steps, double firstLoss, double lastLoss, double meanLossLast10pct,
                         Eval evalBefore, Eval evalAfter, long tokens, long supervisedTokens, double seconds,
                         double tokensPerSecond, long trainableParameters, int skipped) {}

    private final Options o;
    private final TrainConfig c;
    private final PrintWriter log;
    /** Encoded examples by (mixture, dataset, index): tiles and ids are the same every epoch, so they are made once. */
    private final Map<CacheKey, ExampleEncoder.Encoded> cache = new LinkedHashMap<>(16, 0.75f, true);

    private record CacheKey(DataMixture mixture, int dataset, int index) {}
    private long cacheBytes;
    private int skipped;

    private Trainer(Options o, PrintWriter log) {
        this.o = o;
        this.c = o.config();
        this.log = log;
    }

    public static Result run(Options o, PrintWriter log) {
        return new Trainer(o, log).run();
    }

    private Result run() {
        Path out = o.out();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        boolean hasState = CheckpointIO.hasState(out);
        if (hasState && !o.resume()) {
            throw new IllegalArgumentException(out + " already holds a training run (train_state/); pass --resume to continue it, or choose another --out");
        }
        if (o.resume() && !hasState) log.println("no saved state in " + out + ": starting from step 0");
        Path modelDir = materialise(o.model(), out);
        DataMixture data = DataMixture.load(o.data(), o.images());
        DataMixture evalData = o.eval() == null ? null : DataMixture.load(o.eval(), o.images());

        try (VisionLanguageModel vlm = VisionLanguageModel.load(modelDir);
             TrainableInternVL model = TrainableInternVL.load(modelDir, vlm.model().imgContextTokenId(), c.seed())) {
            Recipe.Summary summary = Recipe.apply(model, c);
            if (c.patchReadout() > 0) {
                if (!summary.vit()) throw new IllegalArgumentException("patch_readout trains the ViT: use stage vit or all (or \"train_vit\": true)");
                model.attachPatchReadout((float) c.patchReadout());
            }
            AdamW opt = new AdamW(c.beta1(), c.beta2(), c.eps(), c.weightDecay());
            Sampler sampler = new Sampler(data, c.seed());
            Tiling tiling = c.maxTiles() == null ? Tiling.MODEL_DEFAULT : Tiling.MODEL_DEFAULT.withMaxTiles(c.maxTiles());
            ExampleEncoder encoder = new ExampleEncoder(vlm, tiling, Math.min(c.maxSeqLen(), model.config().llm().maxPositions()));
            List<LossPlot.Point> trainPts = new ArrayList<>(), evalPts = new ArrayList<>();
            int start = 0;
            if (o.resume() && hasState) {
                JsonNode st = CheckpointIO.loadState(out, model, opt);
                start = st.path("step").asInt();
                long[] per = new long[data.datasets().size()];
                JsonNode pd = st.path("sampler_per_dataset");
                for (int i = 0; i < per.length && i < pd.size(); i++) per[i] = pd.get(i).asLong();
                sampler.restore(st.path("sampler_drawn").asLong(), per);
                readLog(out.resolve("train_log.jsonl"), start, trainPts, evalPts);
                log.printf("resumed %s at step %d%n", out, start);
            } else {
                truncateLog(out.resolve("train_log.jsonl"), -1);
            }
            CheckpointIO.copySideFiles(modelDir, out);
            ObjectNode args = c.toJson();
            args.put("model", o.model().toString());
            args.put("data", o.data().toString());
            if (o.eval() != null) args.put("eval", o.eval().toString());
            CheckpointIO.writeJson(out.resolve("training_args.json"), args);

            InternVLConfig mc = model.config();
            log.printf("model %s: InternViT %d×%d, Qwen2 %d×%d, vocab %d, %d image tokens per %d px tile%n", o.model(),
                    mc.vision().numLayers(), mc.vision().hiddenSize(), mc.llm().numLayers(), mc.llm().hiddenSize(),
                    mc.llm().vocabSize(), mc.tokensPerTile(), mc.imageSize());
            log.printf("stage %s: %s; lr %.3g (warm-up %d, cosine to %.3g), weight decay %g, batch %d × accumulation %d, %d steps, seed %d, %d threads%n",
                    c.stage().id(), summary, c.lr(), c.warmup(), c.minLr(), c.weightDecay(), c.batch(), c.gradAccum(), c.steps(), c.seed(),
                    org.tessera.core.Parallel.threads());
            log.printf("data: %d examples in %d dataset(s)%s%n", data.size(), data.datasets().size(),
                    evalData == null ? "" : "; held-out: " + Math.min(c.evalMax(), evalData.size()) + " examples");
            log.flush();

            LrSchedule schedule = new LrSchedule(c.lr(), c.minLr(), c.warmup(), c.steps());
            Eval evalBefore = null, evalAfter = null;
            if (evalData != null && start == 0) {
                evalBefore = evaluate(model, encoder, evalData);
                evalPts.add(new LossPlot.Point(0, evalBefore.loss()));
                appendLog(out, eval(0, evalBefore));
                log.printf("step %d %s%n", 0, evalBefore);
            }
            long tokens = 0, sup = 0;
            double seconds = 0, first = Double.NaN, last = Double.NaN;
            List<Double> losses = new ArrayList<>();
            List<Parameter> trainable = model.parameters().trainable();
            int stop = o.stopAfter() == null ? c.steps() : Math.min(c.steps(), start + o.stopAfter());
            for (int s = start; s < stop; s++) {
                long t0 = System.nanoTime();
                List<Batch> micro = new ArrayList<>();
                int stepSup = 0, stepTokens = 0, stepTiles = 0;
                for (int a = 0; a < c.gradAccum(); a++) {
                    List<Batch> parts = new ArrayList<>();
                    for (int i = 0; i < c.batch(); i++) {
                        ExampleEncoder.Encoded e = draw(sampler, data, encoder);
                        parts.add(e.batch());
                        stepSup += e.supervised();
                        stepTokens += e.tokens();
                        stepTiles += e.tiles();
                    }
                    micro.add(Batch.pack(parts));
                }
                model.parameters().zeroGrads();
                double loss = 0, patchLoss = 0;
                int patches = 0, patchesRight = 0, glyphs = 0, glyphsRight = 0;
                for (Batch b : micro) {
                    loss += model.forwardBackward(b, 1f / stepSup);
                    TrainableInternVL.PatchReadout pr = model.lastPatchReadout();
                    if (pr.patches() > 0) {
                        patchLoss += pr.loss() * pr.patches();
                        patches += pr.patches();
                        patchesRight += pr.correct();
                        glyphs += pr.glyphPatches();
                        glyphsRight += pr.glyphCorrect();
                    }
                }
                double gnorm = GradClip.clip(trainable, c.maxGradNorm());
                double lr = schedule.at(s);
                opt.step(trainable, lr);
                double dt = (System.nanoTime() - t0) / 1e9;
                double mean = loss / stepSup;
                if (!Double.isFinite(mean)) throw new IllegalStateException("the loss became " + mean + " at step " + (s + 1) + " (learning rate too high?)");
                tokens += stepTokens;
                sup += stepSup;
                seconds += dt;
                if (Double.isNaN(first)) first = mean;
                last = mean;
                losses.add(mean);
                trainPts.add(new LossPlot.Point(s + 1, mean));
                ObjectNode line = MAPPER.createObjectNode();
                line.put("step", s + 1);
                line.put("loss", mean);
                line.put("lr", lr);
                line.put("grad_norm", gnorm);
                line.put("tokens", stepTokens);
                line.put("supervised_tokens", stepSup);
                line.put("tiles", stepTiles);
                line.put("seconds", dt);
                line.put("tokens_per_s", stepTokens / dt);
                if (patches > 0) {
                    line.put("patch_loss", patchLoss / patches);
                    line.put("patch_accuracy", (double) patchesRight / patches);
                    if (glyphs > 0) line.put("glyph_patch_accuracy", (double) glyphsRight / glyphs);
                }
                appendLog(out, line);
                if (c.logEvery() > 0 && ((s + 1) % c.logEvery() == 0 || s + 1 == c.steps())) {
                    log.printf("step %d/%d  loss %.4f  lr %.3g  |g| %.3g  %d tok (%d supervised, %d tiles)  %.0f tok/s%n",
                            s + 1, c.steps(), mean, lr, gnorm, stepTokens, stepSup, stepTiles, stepTokens / dt);
                    if (patches > 0) log.printf("          patch readout: loss %.4f, %.1f%% of %d labels right (%.1f%% of the %d characters)%n",
                            patchLoss / patches, 100.0 * patchesRight / patches, patches, glyphs == 0 ? 0 : 100.0 * glyphsRight / glyphs, glyphs);
                    log.flush();
                }
                boolean end = s + 1 == c.steps(), pause = s + 1 == stop;
                if (evalData != null && (end || (c.evalEvery() > 0 && (s + 1) % c.evalEvery() == 0))) {
                    Eval ev = evaluate(model, encoder, evalData);
                    evalAfter = ev;
                    evalPts.add(new LossPlot.Point(s + 1, ev.loss()));
                    appendLog(out, eval(s + 1, ev));
                    log.printf("step %d %s%n", s + 1, ev);
                }
                if (end || pause || (c.saveEvery() > 0 && (s + 1) % c.saveEvery() == 0)) {
                    save(model, opt, sampler, s + 1, trainPts, evalPts);
                    log.printf("saved step %d to %s%n", s + 1, out);
                }
                log.flush();
            }
            if (start >= c.steps()) log.printf("nothing to do: the run in %s already reached step %d%n", out, start);
            int n = losses.size();
            double tail = 0;
            int k = Math.max(1, n / 10);
            for (int i = Math.max(0, n - k); i < n; i++) tail += losses.get(i);
            tail /= Math.min(k, Math.max(1, n));
            Result r = new Result(start, c.steps(), first, last, tail, evalBefore, evalAfter, tokens, sup, seconds,
                    seconds > 0 ? tokens / seconds : 0, summary.trainable(), skipped);
            if (n > 0) {
                log.printf("done: %d steps, loss %.4f -> %.4f (mean of the last %d: %.4f)%s; %.1f s, %.0f tokens/s (%.0f supervised tokens/s)%n",
                        n, first, last, k, tail, evalAfter == null ? "" : "; " + evalAfter, seconds,
                        r.tokensPerSecond(), sup / Math.max(seconds, 1e-9));
            }
            if (skipped > 0) log.printf("%d examples were skipped (too long or unreadable)%n", skipped);
            log.flush();
            return r;
        }
    }

    /** The model directory to train from: {@code dir} itself, or, when it has no weights, a seeded initialisation in OUT/init. */
    private Path materialise(Path dir, Path out) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such model directory");
        boolean weights = Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE)) || Files.isRegularFile(dir.resolve(Checkpoint.INDEX_FILE));
        if (weights) return dir;
        Path init = out.resolve("init");
        if (Files.isRegularFile(init.resolve(Checkpoint.SINGLE_FILE))) return init;
        InternVLConfig cfg = InternVLConfig.load(dir);
        int ctx = Tokenizers.loadDirectory(dir).tokenId(InternVLModel.IMG_CONTEXT);
        if (ctx < 0) {
            if (cfg.imgContextTokenId() == null) throw new IllegalArgumentException(dir + ": the tokenizer has no " + InternVLModel.IMG_CONTEXT + " token");
            ctx = cfg.imgContextTokenId();
        }
        log.printf("%s has no weights: initialising every tensor from seed %d into %s%n", dir, c.seed(), init);
        try (TrainableInternVL fresh = TrainableInternVL.random(cfg, ctx, c.seed())) {
            CheckpointIO.copySideFiles(dir, init);
            CheckpointIO.saveModel(fresh, init, "f32");
        }
        return init;
    }

    private ExampleEncoder.Encoded draw(Sampler sampler, DataMixture data, ExampleEncoder encoder) {
        for (int attempt = 0; ; attempt++) {
            Sampler.Draw d = sampler.next();
            try {
                return encode(data, d.dataset(), d.index(), encoder);
            } catch (IllegalArgumentException | UncheckedIOException | org.tessera.vision.image.ImageLoadException | org.tessera.model.ModelException e) {
                skipped++;
                if (skipped <= 20) log.println("skipping: " + e.getMessage());
                if (attempt >= 1000) throw new IllegalStateException("1000 examples in a row could not be used; the last: " + e.getMessage(), e);
            }
        }
    }

    private ExampleEncoder.Encoded encode(DataMixture data, int ds, int index, ExampleEncoder encoder) {
        CacheKey key = new CacheKey(data, ds, index);
        ExampleEncoder.Encoded e = cache.get(key);
        if (e != null) return e;
        Dataset d = data.datasets().get(ds);
        e = encoder.encode(d, index);
        long bytes = 4L * e.batch().pixels().length + 12L * e.tokens() + 64;
        long budget = (long) c.cacheMb() << 20;
        if (bytes <= budget) {
            cache.put(key, e);
            cacheBytes += bytes;
            var it = cache.entrySet().iterator();
            while (cacheBytes > budget && it.hasNext()) {
                var old = it.next();
                cacheBytes -= 4L * old.getValue().batch().pixels().length + 12L * old.getValue().tokens() + 64;
                it.remove();
            }
        }
        return e;
    }

    /**
     * Held-out figures over the first {@code eval_max} examples (in file order): mean loss per supervised token, the
     * share of supervised tokens the model predicts by argmax, and the share of examples whose whole answer it does
     * (what greedy decoding would answer exactly).
     */
    public record Eval(double loss, double tokenAccuracy, double exactMatch, int examples) {
        @Override
        public String toString() {
            return String.format("held-out loss %.4f, token accuracy %.1f%%, exact answers %.1f%% (%d examples)", loss,
                    100 * tokenAccuracy, 100 * exactMatch, examples);
        }
    }

    private Eval evaluate(TrainableInternVL model, ExampleEncoder encoder, DataMixture eval) {
        double loss = 0;
        long sup = 0, correct = 0, seqs = 0, seqOk = 0;
        int n = 0;
        List<Batch> parts = new ArrayList<>();
        outer:
        for (int ds = 0; ds < eval.datasets().size(); ds++) {
            for (int i = 0; i < eval.datasets().get(ds).size(); i++) {
                if (n >= c.evalMax()) break outer;
                ExampleEncoder.Encoded e;
                try {
                    e = encode(eval, ds, i, encoder);
                } catch (IllegalArgumentException | UncheckedIOException | org.tessera.vision.image.ImageLoadException | org.tessera.model.ModelException ex) {
                    continue;
                }
                n++;
                parts.add(e.batch());
                boolean flush = parts.size() == c.batch();
                if (flush) {
                    TrainableInternVL.Evaluation ev = model.evaluate(Batch.pack(parts));
                    loss += ev.loss();
                    sup += ev.supervised();
                    correct += ev.correctTokens();
                    seqs += ev.sequences();
                    seqOk += ev.correctSequences();
                    parts.clear();
                }
            }
        }
        if (!parts.isEmpty()) {
            TrainableInternVL.Evaluation ev = model.evaluate(Batch.pack(parts));
            loss += ev.loss();
            sup += ev.supervised();
            correct += ev.correctTokens();
            seqs += ev.sequences();
            seqOk += ev.correctSequences();
        }
        if (sup == 0) return new Eval(Double.NaN, 0, 0, n);
        return new Eval(loss / sup, (double) correct / sup, seqs == 0 ? 0 : (double) seqOk / seqs, n);
    }

    private void save(TrainableInternVL model, AdamW opt, Sampler sampler, int step, List<LossPlot.Point> train, List<LossPlot.Point> eval) {
        CheckpointIO.saveModel(model, o.out(), c.saveDtype());
        ObjectNode st = MAPPER.createObjectNode();
        st.put("step", step);
        st.put("seed", c.seed());
        st.put("stage", c.stage().id());
        st.put("sampler_drawn", sampler.drawn());
        st.set("sampler_per_dataset", MAPPER.valueToTree(sampler.perDataset()));
        CheckpointIO.saveState(o.out(), model, opt, st);
        LossPlot.write(o.out().resolve("loss.png"), "tessera train: " + o.out().getFileName() + " (stage " + c.stage().id() + ")", train, eval);
    }

    private static ObjectNode eval(int step, Eval e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("step", step);
        n.put("eval_loss", e.loss());
        n.put("eval_token_accuracy", e.tokenAccuracy());
        n.put("eval_exact_match", e.exactMatch());
        n.put("eval_examples", e.examples());
        return n;
    }

    private static void appendLog(Path out, ObjectNode line) {
        try {
            Files.writeString(out.resolve("train_log.jsonl"), line.toString() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the log lines of steps ≤ {@code upTo} (a crash after the last save leaves later ones); −1 empties it. */
    private static void truncateLog(Path file, int upTo) {
        if (!Files.isRegularFile(file)) return;
        try {
            List<String> keep = new ArrayList<>();
            if (upTo >= 0) {
                for (String l : Files.readAllLines(file)) {
                    if (l.isBlank()) continue;
                    if (MAPPER.readTree(l).path("step").asInt() <= upTo) keep.add(l);
                }
            }
            Files.write(file, keep);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readLog(Path file, int upTo, List<LossPlot.Point> train, List<LossPlot.Point> eval) {
        truncateLog(file, upTo);
        if (!Files.isRegularFile(file)) return;
        try {
            for (String l : Files.readAllLines(file)) {
                JsonNode n = MAPPER.readTree(l);
                if (n.has("loss")) train.add(new LossPlot.Point(n.get("step").asInt(), n.get("loss").asDouble()));
                if (n.has("eval_loss")) eval.add(new LossPlot.Point(n.get("step").asInt(), n.get("eval_loss").asDouble()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
