package org.tessera.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a training run needs besides the model and the data, as a flat JSON object (snake_case keys, all
 * optional): the file given to {@code --config}, with command-line options taking precedence. Unknown keys are an
 * error, so a typo never silently falls back to a default.
 *
 * <pre>
 * stage            projector | vit | all | lora                       (all)
 * steps            optimiser steps                                      (100)
 * lr, min_lr       peak and final learning rate                         (stage default; 0)
 * warmup_steps     linear warm-up steps (else warmup_ratio × steps)     (warmup_ratio 0.03)
 * weight_decay     decoupled (AdamW), matrices only                     (stage default)
 * beta1, beta2, eps                                                     (0.9, 0.999, 1e-8)
 * max_grad_norm    global-norm clipping, 0 = off                        (1.0)
 * batch            examples per micro-batch (packed)                    (1)
 * grad_accum       micro-batches per optimiser step                     (1)
 * seed                                                                  (42)
 * vit_layer_decay  layer-wise lr decay of the ViT when it trains        (0.9)
 * lora_rank, lora_alpha, lora_targets, partial_lora                    (16, 2·rank, all 7 projections, false)
 * train_vit, train_projector, train_llm   override the stage's choice  (null)
 * frozen_bf16      keep frozen matrices in bf16                        (true)
 * max_seq_len      longer examples are skipped                         (4096)
 * max_tiles        tiles per image (InternVL max_dynamic_patch)        (the model's config)
 * save_every, eval_every, log_every   in steps; 0 = only at the end   (0, 0, 1)
 * eval_max         held-out examples per evaluation                    (200)
 * save_dtype       f32 | bf16: dtype of trained tensors in the export  (f32)
 * cache_mb         memory for encoded examples (tiles, ids)            (512)
 * patch_readout    weight of the auxiliary per-patch character loss on examples with "patch_text"
 *                  (0 = off; see TrainableInternVL#attachPatchReadout); a mean over each
 *                  micro-batch's labelled patches, so grad_accum k weighs it k times       (0)
 * </pre>
 */
public record TrainConfig(Stage stage, int steps, double lr, double minLr, Integer warmupSteps, double warmupRatio,
                          double weightDecay, double beta1, double beta2, double eps, double maxGradNorm, int batch,
                          int gradAccum, long seed, double vitLayerDecay, int loraRank, float loraAlpha,
                          List<String> loraTargets, boolean partialLora, Boolean trainVit, Boolean trainProjector,
                          Boolean trainLlm, boolean frozenBf16, int maxSeqLen, Integer maxTiles, int saveEvery,
                          int evalEvery, int logEvery, int evalMax, String saveDtype, int cacheMb, double patchReadout) {

    public static final List<String> ALL_LORA_TARGETS = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("stage", "steps", "lr", "min_lr", "warmup_steps", "warmup_ratio",
            "weight_decay", "beta1", "beta2", "eps", "max_grad_norm", "batch", "grad_accum", "seed", "vit_layer_decay",
            "lora_rank", "lora_alpha", "lora_targets", "partial_lora", "train_vit", "train_projector", "train_llm",
            "frozen_bf16", "max_seq_len", "max_tiles", "save_every", "eval_every", "log_every", "eval_max", "save_dtype", "cache_mb", "patch_readout");

    public TrainConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1");
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive");
        if (batch < 1 || gradAccum < 1) throw new IllegalArgumentException("batch and grad_accum must be at least 1");
        if (!(vitLayerDecay > 0) || vitLayerDecay > 1) throw new IllegalArgumentException("vit_layer_decay must be in (0, 1]");
        if (loraRank < 1) throw new IllegalArgumentException("lora_rank must be at least 1");
        if (!saveDtype.equals("f32") && !saveDtype.equals("bf16")) throw new IllegalArgumentException("save_dtype must be f32 or bf16");
        if (warmupRatio < 0 || warmupRatio >= 1) throw new IllegalArgumentException("warmup_ratio must be in [0, 1)");
        if (!(patchReadout >= 0)) throw new IllegalArgumentException("patch_readout must be 0 or more");
        loraTargets = List.copyOf(loraTargets);
    }

    /** Warm-up steps: warmup_steps, else warmup_ratio of the steps (rounded up, as transformers does). */
    public int warmup() {
        return warmupSteps != null ? warmupSteps : (int) Math.ceil(warmupRatio * steps);
    }

    /** Examples per optimiser step. */
    public int examplesPerStep() { return batch * gradAccum; }

    /** The defaults with {@code overrides} (a JSON object as in the class comment) applied on top. */
    public static TrainConfig parse(JsonNode overrides) {
        Map<String, JsonNode> o = new LinkedHashMap<>();
        if (overrides != null) {
            if (!overrides.isObject()) throw new IllegalArgumentException("a training config is a JSON object");
            for (Map.Entry<String, JsonNode> e : overrides.properties()) {
                if (!KEYS.contains(e.getKey())) throw new IllegalArgumentException("unknown training setting \"" + e.getKey() + "\" (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
                if (!e.getValue().isNull()) o.put(e.getKey(), e.getValue());
            }
        }
        Stage stage = o.containsKey("stage") ? Stage.parse(o.get("stage").asText()) : Stage.ALL;
        int rank = intOf(o, "lora_rank", 16);
        List<String> targets = new ArrayList<>();
        if (o.containsKey("lora_targets")) for (JsonNode t : o.get("lora_targets")) targets.add(t.asText());
        else targets.addAll(ALL_LORA_TARGETS);
        return new TrainConfig(stage, intOf(o, "steps", 100), dbl(o, "lr", stage.lr), dbl(o, "min_lr", 0),
                o.containsKey("warmup_steps") ? o.get("warmup_steps").asInt() : null, dbl(o, "warmup_ratio", 0.03),
                dbl(o, "weight_decay", stage.weightDecay), dbl(o, "beta1", 0.9), dbl(o, "beta2", 0.999), dbl(o, "eps", 1e-8),
                dbl(o, "max_grad_norm", 1.0), intOf(o, "batch", 1), intOf(o, "grad_accum", 1),
                o.containsKey("seed") ? o.get("seed").asLong() : 42L, dbl(o, "vit_layer_decay", 0.9), rank,
                (float) dbl(o, "lora_alpha", 2.0 * rank), targets, bool(o, "partial_lora", false),
                o.containsKey("train_vit") ? o.get("train_vit").asBoolean() : null,
                o.containsKey("train_projector") ? o.get("train_projector").asBoolean() : null,
                o.containsKey("train_llm") ? o.get("train_llm").asBoolean() : null,
                bool(o, "frozen_bf16", true), intOf(o, "max_seq_len", 4096),
                o.containsKey("max_tiles") ? o.get("max_tiles").asInt() : null, intOf(o, "save_every", 0),
                intOf(o, "eval_every", 0), intOf(o, "log_every", 1), intOf(o, "eval_max", 200),
                o.containsKey("save_dtype") ? o.get("save_dtype").asText() : "f32", intOf(o, "cache_mb", 512), dbl(o, "patch_readout", 0));
    }

    /** Reads a config file (null: the defaults) and applies {@code overrides} (e.g. command-line options) on top. */
    public static TrainConfig load(Path file, Map<String, Object> overrides) {
        ObjectNode node = MAPPER.createObjectNode();
        if (file != null) {
            try {
                JsonNode f = MAPPER.readTree(file.toFile());
                if (!f.isObject()) throw new IllegalArgumentException(file + ": a training config is a JSON object");
                node.setAll((ObjectNode) f);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": cannot read JSON: " + e.getMessage(), e);
            }
        }
        if (overrides != null) overrides.forEach((k, v) -> { if (v != null) node.set(k, MAPPER.valueToTree(v)); });
        try {
            return parse(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((file != null ? file + ": " : "") + e.getMessage(), e);
        }
    }

    /** This configuration as JSON (written next to the checkpoints). */
    public ObjectNode toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("stage", stage.id());
        n.put("steps", steps);
        n.put("lr", lr);
        n.put("min_lr", minLr);
        n.put("warmup_steps", warmup());
        n.put("weight_decay", weightDecay);
        n.put("beta1", beta1);
        n.put("beta2", beta2);
        n.put("eps", eps);
        n.put("max_grad_norm", maxGradNorm);
        n.put("batch", batch);
        n.put("grad_accum", gradAccum);
        n.put("seed", seed);
        n.put("vit_layer_decay", vitLayerDecay);
        n.put("lora_rank", loraRank);
        n.put("lora_alpha", loraAlpha);
        n.set("lora_targets", MAPPER.valueToTree(loraTargets));
        n.put("partial_lora", partialLora);
        if (trainVit != null) n.put("train_vit", trainVit);
        if (trainProjector != null) n.put("train_projector", trainProjector);
        if (trainLlm != null) n.put("train_llm", trainLlm);
        n.put("frozen_bf16", frozenBf16);
        n.put("max_seq_len", maxSeqLen);
        if (maxTiles != null) n.put("max_tiles", maxTiles);
        n.put("save_every", saveEvery);
        n.put("eval_every", evalEvery);
        n.put("log_every", logEvery);
        n.put("eval_max", evalMax);
        n.put("save_dtype", saveDtype);
        n.put("cache_mb", cacheMb);
        if (patchReadout > 0) n.put("patch_readout", patchReadout);
        return n;
    }

    private static int intOf(Map<String, JsonNode> o, String k, int d) {
        JsonNode v = o.get(k);
        if (v == null) return d;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new IllegalArgumentException(k + " must be an integer, got " + v);
        return v.intValue();
    }

    private static double dbl(Map<String, JsonNode> o, String k, double d) {
        JsonNode v = o.get(k);
        if (v == null) return d;
        if (!v.isNumber()) throw new IllegalArgumentException(k + " must be a number, got " + v);
        return v.doubleValue();
    }

    private static boolean bool(Map<String, JsonNode> o, String k, boolean d) {
        JsonNode v = o.get(k);
        if (v == null) return d;
        if (!v.isBoolean()) throw new IllegalArgumentException(k + " must be true or false, got " + v);
        return v.booleanValue();
    }
}
