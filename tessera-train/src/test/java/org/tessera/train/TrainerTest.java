package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.Answer;
import org.tessera.api.Request;
import org.tessera.api.VisionLanguageModel;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.Npy;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.train.data.ToyTask;
import org.tessera.train.model.Batch;
import org.tessera.train.model.TrainableInternVL;

/**
 * Training runs end to end on the golden tiny checkpoint (InternViT 2×32, Qwen2 2×48, 56 px tiles): overfitting,
 * held-out improvement with full fine-tuning, LoRA and Partial LoRA, exact resumption, training from scratch, and the
 * exported checkpoint running in the inference runtime.
 */
class TrainerTest {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static final ObjectMapper OM = new ObjectMapper();

    @TempDir
    Path tmp;

    static Trainer.Result train(Path model, Path data, Path eval, Path out, Map<String, Object> cfg, boolean resume, Integer stopAfter, StringWriter log) {
        TrainConfig c = TrainConfig.load(null, cfg);
        return Trainer.run(new Trainer.Options(model, data, null, eval, out, c, resume, stopAfter), new PrintWriter(log, true));
    }

    static Trainer.Result train(Path data, Path eval, Path out, Map<String, Object> cfg, boolean resume, StringWriter log) {
        return train(GOLDEN, data, eval, out, cfg, resume, null, log);
    }

    @Test
    void overfitsASmallBatchAndTheRuntimeRunsTheResult() throws Exception {
        Path toy = tmp.resolve("toy");
        ToyTask.write(toy, 2, 1, 56, 1);
        StringWriter log = new StringWriter();
        Path out = tmp.resolve("out");
        Trainer.Result r = train(toy.resolve("train.jsonl"), null, out,
                Map.of("steps", 15, "lr", 3e-3, "batch", 2, "warmup_steps", 0, "weight_decay", 0.0), false, log);
        assertTrue(r.firstLoss() > 5 && r.lastLoss() < 0.05, "loss " + r.firstLoss() + " -> " + r.lastLoss() + "\n" + log);
        for (String f : List.of("model.safetensors", "config.json", "tokenizer.json", "generation_config.json", "train_log.jsonl", "loss.png", "training_args.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(15, Files.readAllLines(out.resolve("train_log.jsonl")).size());

        // The export is the public layout: the runtime loads it and computes the same logits as the trainer's graph.
        Npy.Floats pv = Npy.readFloats(GOLDEN.resolve("pixel_values.npy"));
        long[] l = Npy.readLongs(GOLDEN.resolve("input_ids.npy")).data();
        int[] ids = new int[l.length];
        for (int i = 0; i < l.length; i++) ids[i] = (int) l[i];
        try (InternVLModel rt = InternVLModel.load(out); TrainableInternVL tm = TrainableInternVL.load(out, rt.imgContextTokenId(), 1)) {
            float[] want = rt.forward(pv.data(), pv.shape()[0], ids).logits();
            float[] got = tm.logits(Batch.of(pv.data(), pv.shape()[0], ids, new int[ids.length]));
            double e = 0, m = 0;
            for (int i = 0; i < want.length; i++) {
                e = Math.max(e, Math.abs(got[i] - want[i]));
                m = Math.max(m, Math.abs(want[i]));
            }
            assertTrue(e / m < 1e-5, "relative " + e / m);
        }
        // ... and 'ask' answers the training questions as taught.
        try (VisionLanguageModel vlm = VisionLanguageModel.load(out)) {
            for (String line : Files.readAllLines(toy.resolve("train.jsonl"))) {
                JsonNode n = OM.readTree(line);
                String q = n.get("conversations").get(0).get("value").asText().replace("<image>\n", "");
                Answer a = vlm.ask(Request.of(q, toy.resolve(n.get("image").asText())).withMaxNewTokens(40));
                assertEquals(n.get("conversations").get(1).get("value").asText(), a.text());
            }
        }
    }

    @Test
    void fullFineTuningLoraAndPartialLoraReduceHeldOutLoss() {
        Path toy = tmp.resolve("toy");
        ToyTask.write(toy, 48, 16, 56, 2);
        for (Object[] run : new Object[][] {{"all", 1e-3, 0.5}, {"lora", 3e-3, 0.5}, {"plora", 1e-2, 0.97}}) {
            String stage = (String) run[0];
            StringWriter log = new StringWriter();
            Map<String, Object> cfg = new java.util.HashMap<>(Map.of("stage", stage.equals("plora") ? "lora" : stage, "steps", 20,
                    "lr", run[1], "batch", 4, "log_every", 0));
            if (stage.equals("plora")) cfg.put("partial_lora", true);
            Path out = tmp.resolve("out-" + stage);
            Trainer.Result r = train(toy.resolve("meta.json"), toy.resolve("eval.jsonl"), out, cfg, false, log);
            assertTrue(r.evalAfter().loss() < (double) run[2] * r.evalBefore().loss(),
                    stage + ": held-out " + r.evalBefore() + " -> " + r.evalAfter() + "\n" + log);
            if (!stage.equals("all")) assertTrue(Files.isRegularFile(out.resolve(CheckpointIO.ADAPTERS)), stage);
            if (stage.equals("plora")) {
                // Partial LoRA cannot be merged: the exported language model is the base, byte for byte.
                try (Checkpoint a = Checkpoint.open(out); Checkpoint b = Checkpoint.open(GOLDEN)) {
                    String w = "language_model.model.layers.1.mlp.down_proj.weight";
                    assertTrue(a.tensor(w).contentEquals(b.tensor(w)));
                    try (Checkpoint ad = Checkpoint.open(out.resolve(CheckpointIO.ADAPTERS))) {
                        assertTrue(ad.contains("language_model.model.layers.1.mlp.down_proj.Plora_A.weight"));
                    }
                }
            }
        }
    }

    @Test
    void resumingContinuesExactly() throws Exception {
        Path toy = tmp.resolve("toy");
        ToyTask.write(toy, 8, 4, 56, 3);
        Map<String, Object> cfg = Map.of("steps", 6, "lr", 1e-3, "batch", 2, "stage", "all", "log_every", 0);
        Path straight = tmp.resolve("straight"), split = tmp.resolve("split");
        train(GOLDEN, toy.resolve("train.jsonl"), toy.resolve("eval.jsonl"), straight, cfg, false, null, new StringWriter());
        Trainer.Result first = train(GOLDEN, toy.resolve("train.jsonl"), toy.resolve("eval.jsonl"), split, cfg, false, 3, new StringWriter());
        assertEquals(0, first.startStep());
        assertTrue(CheckpointIO.hasState(split));
        var e = assertThrows(IllegalArgumentException.class,
                () -> train(GOLDEN, toy.resolve("train.jsonl"), null, split, cfg, false, null, new StringWriter()));
        assertTrue(e.getMessage().contains("pass --resume"), e.getMessage());
        Trainer.Result second = train(GOLDEN, toy.resolve("train.jsonl"), toy.resolve("eval.jsonl"), split, cfg, true, null, new StringWriter());
        assertEquals(3, second.startStep());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model.safetensors")), Files.readAllBytes(split.resolve("model.safetensors")));
        assertEquals(Files.readAllLines(straight.resolve("train_log.jsonl")).stream().map(TrainerTest::withoutTimes).toList(),
                Files.readAllLines(split.resolve("train_log.jsonl")).stream().map(TrainerTest::withoutTimes).toList());
    }

    static String withoutTimes(String line) {
        try {
            var n = (com.fasterxml.jackson.databind.node.ObjectNode) OM.readTree(line);
            n.remove("seconds");
            n.remove("tokens_per_s");
            return n.toString();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void trainsFromScratchWhenTheModelHasNoWeights() throws Exception {
        Path cfgOnly = tmp.resolve("fresh");
        Files.createDirectories(cfgOnly);
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            Files.copy(GOLDEN.resolve(f), cfgOnly.resolve(f));
        }
        Path toy = tmp.resolve("toy");
        ToyTask.write(toy, 4, 1, 56, 4);
        Path out = tmp.resolve("out");
        StringWriter log = new StringWriter();
        Trainer.Result r = train(cfgOnly, toy.resolve("train.jsonl"), null, out, Map.of("steps", 8, "lr", 3e-3, "batch", 4), false, null, log);
        assertTrue(log.toString().contains("has no weights: initialising every tensor from seed 42"), log.toString());
        assertTrue(Files.isRegularFile(out.resolve("init").resolve("model.safetensors")));
        assertTrue(r.lastLoss() < r.firstLoss(), r.firstLoss() + " -> " + r.lastLoss());
        try (InternVLModel m = InternVLModel.load(out)) {
            assertEquals(300, m.config().llm().vocabSize());
        }
    }
}
