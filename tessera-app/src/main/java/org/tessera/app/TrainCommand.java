package org.tessera.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.train.TrainConfig;
import org.tessera.train.Trainer;
import org.tessera.train.data.ToyTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera train}: fine-tune (or train from a seeded initialisation) an InternVL model on data in InternVL's
 * fine-tuning format, writing a checkpoint the runtime loads unchanged.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an InternVL model on conversations in InternVL's fine-tuning format (JSONL lines with \"image\" and \"conversations\", or a meta JSON that mixes such files by weight) and write it to --out in the public checkpoint layout, so that 'tessera ask --model OUT' runs it.",
                "The loss covers the answers only. Stages: projector (mlp1 only), vit (mlp1 and InternViT, layer-wise learning-rate decay 0.9), all (everything), lora (LoRA adapters on the language model; \"partial_lora\": true in --config applies them to image tokens only).",
                "Other settings (warm-up, weight decay, accumulation, clipping, LoRA rank, save and eval intervals) go in --config FILE.json; options given here win. A model directory without weights is initialised from --seed.",
                "Progress goes to stdout, OUT/train_log.jsonl and OUT/loss.png; --resume continues a run from OUT/train_state.",
                "Example: tessera train --model models/InternVL2_5-1B --data train.jsonl --out runs/ft --stage lora --steps 500"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model directory to start from (config.json, tokenizer, and weights unless training from scratch).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", description = "Training data: a .jsonl file or an InternVL meta .json.")
    Path data;

    @Option(names = "--images", paramLabel = "DIR", description = "Folder the data's image paths are relative to (default: the data file's folder; a meta file's \"root\" wins).")
    Path images;

    @Option(names = "--eval", paramLabel = "FILE", description = "Held-out data in the same format: loss and answer accuracy before, during (eval_every) and after training.")
    Path eval;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--stage", paramLabel = "STAGE", description = "projector, vit, all or lora (default: all, or the config's).")
    String stage;

    @Option(names = "--steps", paramLabel = "N", description = "Optimiser steps (default 100).")
    Integer steps;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (default: the stage's, 4e-5; projector 2e-4).")
    Double lr;

    @Option(names = "--batch", paramLabel = "N", description = "Examples per micro-batch (default 1).")
    Integer batch;

    @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per optimiser step (default 1).")
    Integer gradAccum;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the data order and of any initialisation (default 42).")
    Long seed;

    @Option(names = "--config", paramLabel = "FILE.json", description = "Further settings as a JSON object (see the README's Training section).")
    Path config;

    @Option(names = "--resume", description = "Continue the run saved in --out.")
    boolean resume;

    @Option(names = "--stop-after", paramLabel = "N", description = "Run at most N steps now, save, and stop (continue later with --resume).")
    Integer stopAfter;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Option(names = "--write-toy-data", paramLabel = "DIR",
            description = "Instead of training, write a generated visual question-answering task (coloured squares; train.jsonl, eval.jsonl, meta.json, images/) to DIR.")
    Path toyData;

    @Option(names = "--toy-examples", paramLabel = "TRAIN,EVAL", split = ",", description = "Sizes of the toy task's training and held-out sets (default 400,64).")
    int[] toyExamples = {400, 64};

    @Option(names = "--toy-size", paramLabel = "PX", description = "Side of the toy task's images (default 56).")
    int toySize = 56;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (toyData != null) {
            if (toyExamples.length != 2) throw new IllegalArgumentException("--toy-examples takes TRAIN,EVAL");
            ToyTask.write(toyData, toyExamples[0], toyExamples[1], toySize, seed == null ? 1 : seed);
            w.printf("wrote %d training and %d held-out examples to %s (train.jsonl, eval.jsonl, meta.json, images/)%n",
                    toyExamples[0], toyExamples[1], toyData);
            w.flush();
            return 0;
        }
        if (model == null || data == null || out == null) {
            throw new IllegalArgumentException("train needs --model DIR, --data FILE and --out DIR");
        }
        if (threads != null) Parallel.setThreads(threads);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("stage", stage);
        o.put("steps", steps);
        o.put("lr", lr);
        o.put("batch", batch);
        o.put("grad_accum", gradAccum);
        o.put("seed", seed);
        TrainConfig c = TrainConfig.load(config, o);
        Trainer.run(new Trainer.Options(model, data, images, eval, out, c, resume, stopAfter), w);
        w.printf("model written to %s (run it: ./tessera ask --model %s ...)%n", out, out);
        w.flush();
        return 0;
    }
}
