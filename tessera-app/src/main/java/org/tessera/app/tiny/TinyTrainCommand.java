package org.tessera.app.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.synth.Preset;
import org.tessera.synth.SynthDataset;
import org.tessera.synth.SynthOptions;
import org.tessera.train.TrainConfig;
import org.tessera.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera tiny train}: tessera-tiny from nothing, in one resumable command. Each stage is skipped when its
 * output is already there, so running the same command again after an interruption continues where it stopped.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train tessera-tiny from scratch: render the synthetic receipts (data synth --preset easy --layout), add the reading tasks (whole receipts, strips of lines), learn its tokenizer, "
                + "initialise the model from the seed, teach the reader its lessons (one character per patch, then free lines of text; one-tile images with the patch readout) "
                + "and train it on the receipts (stage all). Run it again to continue an interrupted run.",
                "OUT gets data/ (images, train.jsonl, test.jsonl, the lessons), init/ (config.json, tokenizer), reader-cells/ and reader-text/ (the lessons' runs) "
                        + "and model/ (the trained checkpoint, train_log.jsonl, loss.png, train_state/)."})
public final class TinyTrainCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory.")
    Path out;

    @Option(names = "--count", paramLabel = "N", description = "Training images to render (default ${DEFAULT-VALUE}).")
    int count = TinyRecipe.TRAIN_IMAGES;

    @Option(names = "--test-count", paramLabel = "N", description = "Held-out test images (default ${DEFAULT-VALUE}).")
    int testCount = TinyRecipe.TEST_IMAGES;

    @Option(names = "--steps", paramLabel = "N", description = "Optimiser steps of 8 receipts (default ${DEFAULT-VALUE}).")
    int steps = TinyRecipe.STEPS;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the data, the initialisation and the data order (default ${DEFAULT-VALUE}).")
    long seed = TinyRecipe.SEED;

    @Option(names = "--lesson-steps", paramLabel = "CELLS,TEXT", split = ",",
            description = "Steps of 16 images for the reader's lessons (default: the recipe's, 1000,2000).")
    int[] lessonSteps;

    @Option(names = "--lesson-examples", paramLabel = "CELLS,TEXT", split = ",",
            description = "Images written for the reader's lessons (default: the recipe's, 20000,30000).")
    int[] lessonExamples;

    @Option(names = "--stop-after", paramLabel = "N", description = "Run at most N steps now, save and stop (continue with the same command).")
    Integer stopAfter;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (threads != null) Parallel.setThreads(threads);
        List<TinyRecipe.Lesson> lessons = new java.util.ArrayList<>(TinyRecipe.LESSONS);
        for (int[] given : new int[][] {lessonSteps, lessonExamples}) {
            if (given != null && (given.length != lessons.size() || java.util.Arrays.stream(given).anyMatch(v -> v < 1))) {
                throw new IllegalArgumentException("--lesson-steps and --lesson-examples take " + lessons.size() + " positive numbers (cells,text)");
            }
        }
        for (int i = 0; i < lessons.size(); i++) {
            TinyRecipe.Lesson l = lessons.get(i);
            lessons.set(i, new TinyRecipe.Lesson(l.kind(), lessonExamples == null ? l.examples() : lessonExamples[i], lessonSteps == null ? l.steps() : lessonSteps[i]));
        }
        Path data = out.resolve("data"), init = out.resolve("init"), model = out.resolve("model");
        if (!Files.exists(data.resolve("synth.json"))) {
            SynthOptions o = TinyRecipe.synthOptions(count, testCount, seed).build();
            w.printf(Locale.ROOT, "rendering %d training and %d test receipts into %s%n", count, testCount, data);
            w.flush();
            SynthDataset.Result r = new SynthDataset(o).write(data, true, (split, done, total) -> {});
            w.printf(Locale.ROOT, "%d training images (%d questions), %d test images (%d questions) in %.0f s%n",
                    r.trainImages(), r.trainQuestions(), r.testImages(), r.testQuestions(), r.seconds());
        }
        if (!Files.exists(data.resolve("train_read.jsonl"))) TinyRecipe.writeReadingData(data);
        if (!Files.exists(data.resolve("train_strips.jsonl"))) {
            TinyRecipe.writeStripData(data, Math.min(count, TinyRecipe.STRIPS), seed);
            w.println("strip-reading examples written to " + data.resolve("train_strips.jsonl"));
        }
        if (!Files.exists(init.resolve("config.json"))) {
            TinyRecipe.writeModelDirectory(data.resolve("train_read.jsonl"), init);
            w.println("tokenizer and config written to " + init);
        }
        w.flush();
        long t0 = System.nanoTime();
        Path from = init;
        Integer budget = stopAfter; // --stop-after counts the steps of every stage run now
        for (TinyRecipe.Lesson lesson : lessons) {
            Path train = data.resolve("train_" + lesson.kind() + ".jsonl"), held = data.resolve("train_" + lesson.kind() + "_eval.jsonl");
            if (!Files.exists(train)) TinyRecipe.writeLesson(data, lesson.kind(), lesson.kind(), lesson.examples(), seed);
            if (!Files.exists(held)) TinyRecipe.writeLesson(data, lesson.kind(), lesson.kind() + "_eval", TinyRecipe.LESSON_EVAL, seed + 1_000_003);
            Path dir = out.resolve("reader-" + lesson.kind());
            int before = stepReached(dir);
            if (before < lesson.steps()) {
                w.printf(Locale.ROOT, "lesson %s: %d steps of 16 one-tile images (%s)%n", lesson.kind(), lesson.steps(), train);
                w.flush();
                TrainConfig lc = TrainConfig.parse(TinyRecipe.lessonConfig(lesson.steps(), seed));
                Trainer.run(new Trainer.Options(from, train, data, held, dir, lc, before >= 0, budget), w);
                int after = stepReached(dir);
                if (budget != null) budget -= after - Math.max(0, before);
                if (after < lesson.steps() || (budget != null && budget <= 0)) {
                    recordMachine(out.resolve("run.json"), (System.nanoTime() - t0) / 1e9);
                    w.printf("stopped in lesson %s at step %d: run the same command again to continue%n", lesson.kind(), after);
                    w.flush();
                    return 0;
                }
            }
            from = dir;
        }
        Path meta = TinyRecipe.writeTrainingMeta(data);
        ObjectNode cfg = TinyRecipe.trainConfig(steps, seed, TinyRecipe.MAX_TILES);
        TrainConfig c = TrainConfig.parse(cfg);
        boolean resume = Files.isDirectory(model.resolve("train_state"));
        Trainer.run(new Trainer.Options(from, meta, data, data.resolve("test.jsonl"), model, c, resume, budget), w);
        recordMachine(out.resolve("run.json"), (System.nanoTime() - t0) / 1e9);
        w.printf("model written to %s (./tessera ask --model %s --image receipt.png \"What is the total?\")%n", model, model);
        w.flush();
        return 0;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** The step a run directory's saved state reached, or −1 when it has none. */
    static int stepReached(Path runDir) throws java.io.IOException {
        Path state = runDir.resolve(org.tessera.train.CheckpointIO.STATE_DIR).resolve("state.json");
        return Files.isRegularFile(state) ? JSON.readTree(state.toFile()).path("step").asInt(-1) : -1;
    }

    /**
     * Appends this invocation to {@code run.json}: the machine (processor, cores, memory, JVM) and the training time,
     * so that the model card can say where and how long the model was trained, across resumed runs.
     */
    private void recordMachine(Path file, double seconds) throws java.io.IOException {
        ObjectNode root = Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
        root.put("seed", seed).put("steps", steps).put("train_images", count).put("test_images", testCount);
        ObjectNode run = root.withArray("invocations").addObject();
        run.put("finished", java.time.Instant.now().toString()).put("training_seconds", Math.round(seconds * 10) / 10.0);
        run.put("cpu", cpuModel()).put("processors", Runtime.getRuntime().availableProcessors())
                .put("threads", Parallel.threads()).put("memory_gb", Math.round(physicalMemoryGb() * 10) / 10.0)
                .put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        double total = 0;
        for (var r : root.withArray("invocations")) total += r.path("training_seconds").asDouble();
        root.put("training_seconds_total", Math.round(total * 10) / 10.0);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).strip();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the architecture below says enough
        }
        return System.getProperty("os.arch");
    }

    private static double physicalMemoryGb() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean m ? m.getTotalMemorySize() / 1e9 : Double.NaN;
    }
}
