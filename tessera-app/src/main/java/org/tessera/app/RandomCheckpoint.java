package org.tessera.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tessera.core.DType;
import org.tessera.core.io.SafetensorsWriter;

/**
 * Writes an InternVL model directory with random weights in the public layout: {@code config.json} shaped like the
 * real model's ({@code InternVLChatModel}, InternViT-300M-448px vision config, v2 pixel shuffle, the language
 * model's {@code llm_config}, the chat template's name), {@code generation_config.json}, and
 * {@code model.safetensors} with every tensor the original checkpoint has, under its original name and shape.
 *
 * <p>{@code scale} (0, 1] shrinks the model: layers, intermediate widths and the vocabulary by the factor; the
 * number of KV heads by the factor (at least 1) with the query/KV group size kept, and the head size so that
 * heads × head size ≈ scale × hidden (even, for RoPE). Scale 1 gives the real sizes. Positions, RoPE and the tile
 * geometry (448 px, patch 14, 256 tokens per tile) never change, so a scaled checkpoint takes the same inputs.
 *
 * <p>Weights are drawn so activations stay O(1) through the layers (uniform with standard deviation
 * 1/√fan-in for matrices, norm weights near 1, small biases) from a per-tensor generator seeded by the seed and the
 * tensor's name, and streamed to the file chunk by chunk ({@link SafetensorsWriter#writeFloats(String,
 * SafetensorsWriter.FloatSource)}): memory stays at a few MB however large the model (the full InternVL2-4B is
 * 8.3 GB of bf16).
 */
public final class RandomCheckpoint {

    /** The models this can imitate, with their real sizes. */
    public enum Like {
        INTERNVL2_1B("internvl2-1b", "Qwen2ForCausalLM", 896, 4864, 24, 14, 2, 151655, "Hermes-2", false),
        INTERNVL2_5_1B("internvl2_5-1b", "Qwen2ForCausalLM", 896, 4864, 24, 14, 2, 151674, "internvl2_5", true),
        INTERNVL2_2B("internvl2-2b", "InternLM2ForCausalLM", 2048, 8192, 24, 16, 8, 92553, "internlm2-chat", false),
        INTERNVL2_4B("internvl2-4b", "Phi3ForCausalLM", 3072, 8192, 32, 32, 32, 32020, "phi3-chat", false);

        final String cliName, arch, template;
        final int hidden, inter, layers, heads, kvHeads, vocab;
        final boolean vitV25;

        Like(String cliName, String arch, int hidden, int inter, int layers, int heads, int kvHeads, int vocab, String template,
             boolean vitV25) {
            this.cliName = cliName;
            this.arch = arch;
            this.hidden = hidden;
            this.inter = inter;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.vocab = vocab;
            this.template = template;
            this.vitV25 = vitV25;
        }

        public String cliName() { return cliName; }

        public static Like parse(String s) {
            for (Like l : values()) if (l.cliName.equalsIgnoreCase(s.trim())) return l;
            throw new IllegalArgumentException("--like " + s + " is not a model this can imitate; choose one of " + names());
        }

        public static String names() {
            List<String> n = new ArrayList<>();
            for (Like l : values()) n.add(l.cliName);
            return String.join(", ", n);
        }
    }

    /** InternViT-300M-448px. */
    static final int VIT_HIDDEN = 1024, VIT_INTER = 4096, VIT_LAYERS = 24, VIT_HEADS = 16, PATCH = 14, IMAGE = 448;

    /** The sizes actually written. */
    public record Sizes(int vitHidden, int vitInter, int vitLayers, int vitHeads, int hidden, int inter, int layers, int heads,
                        int kvHeads, int headDim, int vocab) {
        /** {@code <IMG_CONTEXT>}: the third of the nine tokens InternVL appends to the vocabulary. */
        public int imgContextTokenId() { return vocab - 9 + 2; }
    }

    /** What was written. */
    public record Result(Path dir, Sizes sizes, long parameters, long bytes) {}

    private RandomCheckpoint() {}

    /** The sizes of {@code like} at {@code scale}. */
    public static Sizes sizes(Like like, double scale) {
        if (!(scale > 0 && scale <= 1)) throw new IllegalArgumentException("--scale must be in (0, 1], got " + scale);
        int vitHeads = Math.max(1, (int) Math.round(VIT_HEADS * scale));
        int vitHead = evenAtLeast2(VIT_HIDDEN * scale / vitHeads);
        int kv = Math.max(1, (int) Math.round(like.kvHeads * scale));
        int heads = kv * (like.heads / like.kvHeads);
        int headDim = evenAtLeast2((double) like.hidden * scale / heads);
        return new Sizes(vitHeads * vitHead, atLeast(VIT_INTER * scale, 2), atLeast(VIT_LAYERS * scale, 1), vitHeads,
                heads * headDim, atLeast(like.inter * scale, 2), atLeast(like.layers * scale, 1), heads, kv, headDim,
                atLeast(like.vocab * scale, 64));
    }

    private static int evenAtLeast2(double x) {
        return Math.max(2, 2 * (int) Math.round(x / 2));
    }

    private static int atLeast(double x, int min) {
        return Math.max(min, (int) Math.round(x));
    }

    /** Writes the directory (created if needed; it must not already hold a model). */
    public static Result write(Like like, Path dir, double scale, long seed, DType dtype) {
        if (dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F32) {
            throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got " + dtype.name().toLowerCase(Locale.ROOT));
        }
        Sizes z = sizes(like, scale);
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " exists and is not a directory");
            for (String f : List.of("config.json", "model.safetensors", "model.safetensors.index.json")) {
                if (Files.exists(dir.resolve(f))) throw new IllegalArgumentException(dir + " already holds " + f + "; choose a new directory");
            }
            Files.createDirectories(dir);
            ObjectMapper om = new ObjectMapper();
            Files.writeString(dir.resolve("config.json"), om.writerWithDefaultPrettyPrinter().writeValueAsString(config(like, z)) + "\n");
            Files.writeString(dir.resolve("generation_config.json"),
                    om.writerWithDefaultPrettyPrinter().writeValueAsString(generationConfig(like)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        List<TensorSpec> tensors = tensors(like, z);
        SafetensorsWriter.Builder b = SafetensorsWriter.builder(dir.resolve("model.safetensors")).metadata("format", "pt");
        long params = 0;
        for (TensorSpec t : tensors) {
            b.add(t.name, dtype, t.shape);
            params += t.count();
        }
        try (SafetensorsWriter w = b.open()) {
            for (TensorSpec t : tensors) w.writeFloats(t.name, t.source(seed));
        }
        return new Result(dir, z, params, params * dtype.byteSize());
    }

    // ------------------------------------------------------------------ configs

    static ObjectNode config(Like like, Sizes z) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode c = om.createObjectNode();
        c.putArray("architectures").add("InternVLChatModel");
        ObjectNode auto = c.putObject("auto_map");
        auto.put("AutoConfig", "configuration_internvl_chat.InternVLChatConfig");
        auto.put("AutoModel", "modeling_internvl_chat.InternVLChatModel");
        auto.put("AutoModelForCausalLM", "modeling_internvl_chat.InternVLChatModel");
        c.put("downsample_ratio", 0.5);
        c.put("dynamic_image_size", true);
        c.put("force_image_size", IMAGE);
        c.put("img_context_token_id", z.imgContextTokenId());
        c.set("llm_config", llmConfig(like, z, om));
        c.put("max_dynamic_patch", 12);
        c.put("min_dynamic_patch", 1);
        c.put("model_type", "internvl_chat");
        c.put("ps_version", "v2");
        c.put("select_layer", -1);
        c.put("template", like.template);
        c.put("torch_dtype", "bfloat16");
        c.put("transformers_version", "4.37.2");
        c.put("use_backbone_lora", 0);
        c.put("use_llm_lora", 0);
        c.put("use_thumbnail", true);
        ObjectNode v = c.putObject("vision_config");
        v.putArray("architectures").add("InternVisionModel");
        v.put("attention_dropout", 0.0).put("drop_path_rate", 0.0).put("dropout", 0.0).put("hidden_act", "gelu")
                .put("hidden_size", z.vitHidden()).put("image_size", IMAGE).put("initializer_factor", like.vitV25 ? 0.1 : 1.0)
                .put("initializer_range", 0.02).put("intermediate_size", z.vitInter()).put("layer_norm_eps", 1e-6)
                .put("model_type", "intern_vit_6b").put("norm_type", "layer_norm").put("num_attention_heads", z.vitHeads())
                .put("num_channels", 3).put("num_hidden_layers", z.vitLayers()).put("patch_size", PATCH)
                .put("qk_normalization", false).put("qkv_bias", true).put("torch_dtype", "bfloat16").put("use_flash_attn", true);
        return c;
    }

    static ObjectNode llmConfig(Like like, Sizes z, ObjectMapper om) {
        ObjectNode l = om.createObjectNode();
        l.putArray("architectures").add(like.arch);
        l.put("hidden_act", "silu").put("hidden_size", z.hidden()).put("initializer_range", 0.02)
                .put("intermediate_size", z.inter()).put("num_attention_heads", z.heads()).put("num_hidden_layers", z.layers())
                .put("num_key_value_heads", z.kvHeads()).put("tie_word_embeddings", false).put("torch_dtype", "bfloat16")
                .put("use_cache", true).put("vocab_size", z.vocab());
        switch (like.arch) {
            case "Qwen2ForCausalLM" -> l.put("model_type", "qwen2").put("attention_dropout", 0.0).put("bos_token_id", 151643)
                    .put("eos_token_id", 151645).put("max_position_embeddings", 32768).put("max_window_layers", z.layers())
                    .put("rms_norm_eps", 1e-6).put("rope_theta", 1000000.0).put("sliding_window", 32768).put("use_sliding_window", false);
            case "InternLM2ForCausalLM" -> {
                l.put("model_type", "internlm2").put("attn_implementation", "eager").put("bias", false).put("bos_token_id", 1)
                        .put("eos_token_id", 2).put("pad_token_id", 2).put("max_position_embeddings", 32768).put("rms_norm_eps", 1e-5)
                        .put("rope_theta", 1000000);
                ObjectNode rs = l.putObject("rope_scaling");
                rs.put("type", "dynamic").put("factor", 2.0);
            }
            case "Phi3ForCausalLM" -> {
                l.put("model_type", "phi3").put("attention_dropout", 0.0).put("bos_token_id", 1).put("embd_pdrop", 0.0)
                        .put("eos_token_id", 32000).put("pad_token_id", 32000).put("max_position_embeddings", 131072)
                        .put("original_max_position_embeddings", 4096).put("resid_pdrop", 0.0).put("rms_norm_eps", 1e-5)
                        .put("rope_theta", 10000.0).put("sliding_window", 262144);
                // Synthetic LongRoPE factors (rising from 1; the long ones to ~48 like Phi-3-mini-128k's range), not the
                // trained values.
                ObjectNode rs = l.putObject("rope_scaling");
                ArrayNode lf = rs.putArray("long_factor"), sf = rs.putArray("short_factor");
                int n = z.headDim() / 2;
                for (int i = 0; i < n; i++) {
                    double t = n == 1 ? 0 : (double) i / (n - 1);
                    lf.add(Math.round((1 + 46 * t * t * t) * 1e4) / 1e4);
                    sf.add(Math.round((1 + 0.1 * t * t) * 1e4) / 1e4);
                }
                rs.put("type", "su");
            }
            default -> throw new IllegalStateException(like.arch);
        }
        return l;
    }

    static ObjectNode generationConfig(Like like) {
        ObjectNode g = new ObjectMapper().createObjectNode();
        g.put("_from_model_config", true);
        switch (like.arch) {
            case "Qwen2ForCausalLM" -> g.put("bos_token_id", 151643).put("eos_token_id", 151645);
            case "InternLM2ForCausalLM" -> g.put("bos_token_id", 1).put("eos_token_id", 2);
            default -> g.put("bos_token_id", 1).put("eos_token_id", 32000);
        }
        g.put("transformers_version", "4.37.2");
        return g;
    }

    // ------------------------------------------------------------------ tensors

    /** How a tensor's values are drawn. */
    enum Kind { MATRIX, NORM, BIAS, SCALE, EMBED }

    record TensorSpec(String name, Kind kind, int fanIn, long... shape) {
        long count() {
            long n = 1;
            for (long s : shape) n = Math.multiplyExact(n, s);
            return n;
        }

        SafetensorsWriter.FloatSource source(long seed) {
            long[] state = {mix(seed * 0x9E3779B97F4A7C15L ^ name.hashCode()) | 1};
            double sqrt3 = Math.sqrt(3);
            // uniform in [-1, 1) times a: standard deviation a / √3
            double a = switch (kind) {
                case MATRIX -> sqrt3 / Math.sqrt(fanIn);
                case EMBED -> sqrt3;
                case NORM -> 0.1;
                case BIAS -> 0.02 * sqrt3;
                case SCALE -> 0.45;
            };
            double center = switch (kind) {
                case NORM -> 1;
                case SCALE -> 0.55;
                default -> 0;
            };
            return (start, buf, n) -> {
                long s = state[0];
                for (int i = 0; i < n; i++) {
                    s ^= s >>> 12;
                    s ^= s << 25;
                    s ^= s >>> 27;
                    long r = s * 0x2545F4914F6CDD1DL;
                    buf[i] = (float) (center + a * (((r >>> 40) / (double) (1 << 24)) * 2 - 1));
                }
                state[0] = s;
            };
        }
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Every tensor of the original checkpoint, in the public names and shapes. */
    static List<TensorSpec> tensors(Like like, Sizes z) {
        List<TensorSpec> t = new ArrayList<>();
        int c = z.vitHidden(), g = IMAGE / PATCH;
        String e = "vision_model.embeddings.";
        t.add(new TensorSpec(e + "class_embedding", Kind.EMBED, 0, 1, 1, c));
        t.add(new TensorSpec(e + "patch_embedding.weight", Kind.MATRIX, 3 * PATCH * PATCH, c, 3, PATCH, PATCH));
        t.add(new TensorSpec(e + "patch_embedding.bias", Kind.BIAS, 0, c));
        t.add(new TensorSpec(e + "position_embedding", Kind.EMBED, 0, 1, 1 + g * g, c));
        for (int l = 0; l < z.vitLayers(); l++) {
            String n = "vision_model.encoder.layers." + l + ".";
            t.add(new TensorSpec(n + "ls1", Kind.SCALE, 0, c));
            t.add(new TensorSpec(n + "ls2", Kind.SCALE, 0, c));
            t.add(new TensorSpec(n + "norm1.weight", Kind.NORM, 0, c));
            t.add(new TensorSpec(n + "norm1.bias", Kind.BIAS, 0, c));
            t.add(new TensorSpec(n + "norm2.weight", Kind.NORM, 0, c));
            t.add(new TensorSpec(n + "norm2.bias", Kind.BIAS, 0, c));
            t.add(new TensorSpec(n + "attn.qkv.weight", Kind.MATRIX, c, 3L * c, c));
            t.add(new TensorSpec(n + "attn.qkv.bias", Kind.BIAS, 0, 3L * c));
            t.add(new TensorSpec(n + "attn.proj.weight", Kind.MATRIX, c, c, c));
            t.add(new TensorSpec(n + "attn.proj.bias", Kind.BIAS, 0, c));
            t.add(new TensorSpec(n + "mlp.fc1.weight", Kind.MATRIX, c, z.vitInter(), c));
            t.add(new TensorSpec(n + "mlp.fc1.bias", Kind.BIAS, 0, z.vitInter()));
            t.add(new TensorSpec(n + "mlp.fc2.weight", Kind.MATRIX, z.vitInter(), c, z.vitInter()));
            t.add(new TensorSpec(n + "mlp.fc2.bias", Kind.BIAS, 0, c));
        }
        int in = 4 * c, d = z.hidden();
        t.add(new TensorSpec("mlp1.0.weight", Kind.NORM, 0, in));
        t.add(new TensorSpec("mlp1.0.bias", Kind.BIAS, 0, in));
        t.add(new TensorSpec("mlp1.1.weight", Kind.MATRIX, in, d, in));
        t.add(new TensorSpec("mlp1.1.bias", Kind.BIAS, 0, d));
        t.add(new TensorSpec("mlp1.3.weight", Kind.MATRIX, d, d, d));
        t.add(new TensorSpec("mlp1.3.bias", Kind.BIAS, 0, d));
        int q = z.heads() * z.headDim(), kv = z.kvHeads() * z.headDim(), inter = z.inter(), v = z.vocab();
        String m = "language_model.model.";
        switch (like.arch) {
            case "Qwen2ForCausalLM" -> {
                t.add(new TensorSpec(m + "embed_tokens.weight", Kind.EMBED, 0, v, d));
                for (int l = 0; l < z.layers(); l++) {
                    String n = m + "layers." + l + ".";
                    t.add(new TensorSpec(n + "input_layernorm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "self_attn.q_proj.weight", Kind.MATRIX, d, q, d));
                    t.add(new TensorSpec(n + "self_attn.q_proj.bias", Kind.BIAS, 0, q));
                    t.add(new TensorSpec(n + "self_attn.k_proj.weight", Kind.MATRIX, d, kv, d));
                    t.add(new TensorSpec(n + "self_attn.k_proj.bias", Kind.BIAS, 0, kv));
                    t.add(new TensorSpec(n + "self_attn.v_proj.weight", Kind.MATRIX, d, kv, d));
                    t.add(new TensorSpec(n + "self_attn.v_proj.bias", Kind.BIAS, 0, kv));
                    t.add(new TensorSpec(n + "self_attn.o_proj.weight", Kind.MATRIX, q, d, q));
                    t.add(new TensorSpec(n + "post_attention_layernorm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "mlp.gate_proj.weight", Kind.MATRIX, d, inter, d));
                    t.add(new TensorSpec(n + "mlp.up_proj.weight", Kind.MATRIX, d, inter, d));
                    t.add(new TensorSpec(n + "mlp.down_proj.weight", Kind.MATRIX, inter, d, inter));
                }
                t.add(new TensorSpec(m + "norm.weight", Kind.NORM, 0, d));
                t.add(new TensorSpec("language_model.lm_head.weight", Kind.MATRIX, d, v, d));
            }
            case "InternLM2ForCausalLM" -> {
                t.add(new TensorSpec(m + "tok_embeddings.weight", Kind.EMBED, 0, v, d));
                for (int l = 0; l < z.layers(); l++) {
                    String n = m + "layers." + l + ".";
                    t.add(new TensorSpec(n + "attention_norm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "attention.wqkv.weight", Kind.MATRIX, d, q + 2L * kv, d));
                    t.add(new TensorSpec(n + "attention.wo.weight", Kind.MATRIX, q, d, q));
                    t.add(new TensorSpec(n + "ffn_norm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "feed_forward.w1.weight", Kind.MATRIX, d, inter, d));
                    t.add(new TensorSpec(n + "feed_forward.w3.weight", Kind.MATRIX, d, inter, d));
                    t.add(new TensorSpec(n + "feed_forward.w2.weight", Kind.MATRIX, inter, d, inter));
                }
                t.add(new TensorSpec(m + "norm.weight", Kind.NORM, 0, d));
                t.add(new TensorSpec("language_model.output.weight", Kind.MATRIX, d, v, d));
            }
            case "Phi3ForCausalLM" -> {
                t.add(new TensorSpec(m + "embed_tokens.weight", Kind.EMBED, 0, v, d));
                for (int l = 0; l < z.layers(); l++) {
                    String n = m + "layers." + l + ".";
                    t.add(new TensorSpec(n + "input_layernorm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "self_attn.qkv_proj.weight", Kind.MATRIX, d, q + 2L * kv, d));
                    t.add(new TensorSpec(n + "self_attn.o_proj.weight", Kind.MATRIX, q, d, q));
                    t.add(new TensorSpec(n + "post_attention_layernorm.weight", Kind.NORM, 0, d));
                    t.add(new TensorSpec(n + "mlp.gate_up_proj.weight", Kind.MATRIX, d, 2L * inter, d));
                    t.add(new TensorSpec(n + "mlp.down_proj.weight", Kind.MATRIX, inter, d, inter));
                }
                t.add(new TensorSpec(m + "norm.weight", Kind.NORM, 0, d));
                t.add(new TensorSpec("language_model.lm_head.weight", Kind.MATRIX, d, v, d));
            }
            default -> throw new IllegalStateException(like.arch);
        }
        return t;
    }
}
