package org.tessera.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tessera.core.DType;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsWriter;
import org.tessera.model.internvl.LanguageModels;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.llm.LlmConfig;

/**
 * Small random language-model checkpoints of the three families in their public layout (tensor names and fused
 * layouts as the original checkpoints store them), under {@code language_model.} as inside an InternVL checkpoint.
 * The fused tensors are assembled here, in test code, from separately drawn parts: Phi-3's {@code qkv_proj} as
 * {@code [q; k; v]} and {@code gate_up_proj} as {@code [gate; up]}; InternLM2's {@code wqkv} grouped per KV head
 * as {@code [q_{h·g}, …, q_{h·g+g−1}, k_h, v_h]}. The parts are kept in {@link Written#parts()} so tests can check
 * the references' reading of the layouts against them.
 */
public final class LlmCheckpoint {
    public static final String QWEN2 = "Qwen2ForCausalLM", INTERNLM2 = "InternLM2ForCausalLM", PHI3 = "Phi3ForCausalLM";
    public static final String PREFIX = "language_model.";

    /** The knobs; family-specific ones are ignored by the other families. */
    public static final class Spec {
        public String arch = QWEN2;
        public int hidden = 64, inter = 128, layers = 2, heads = 4, kvHeads = 2, vocab = 160;
        public boolean tie = true, writeHead = false;
        public double ropeTheta = 10000;
        public int maxPositions = 2048;
        public long seed = 1;
        /** InternLM2 {@code bias} (wqkv and wo biases). */
        public boolean bias = false;
        /** Phi-3 LongRoPE: rope_scaling written when {@code shortFactor} is set. */
        public double[] shortFactor, longFactor;
        public String ropeType = "su";
        public int originalMaxPositions = 4096;
        public Integer slidingWindow;
        /** Extra llm_config entries (e.g. to try unsupported values). */
        public Map<String, Object> extra = new LinkedHashMap<>();

        public Spec arch(String a) {
            arch = a;
            return this;
        }
    }

    /** What was written: tensors by name (f32 values before the bf16 rounding) and the unfused parts. */
    public record Written(Map<String, float[]> tensors, Map<String, long[]> shapes, Map<String, float[]> parts) {}

    private LlmCheckpoint() {}

    /** llm_config as the family's config.json has it. */
    public static ObjectNode config(Spec s) {
        ObjectNode l = new ObjectMapper().createObjectNode();
        l.putArray("architectures").add(s.arch);
        l.put("hidden_size", s.hidden).put("intermediate_size", s.inter).put("num_hidden_layers", s.layers)
                .put("num_attention_heads", s.heads).put("num_key_value_heads", s.kvHeads).put("rope_theta", s.ropeTheta)
                .put("vocab_size", s.vocab).put("max_position_embeddings", s.maxPositions).put("hidden_act", "silu")
                .put("tie_word_embeddings", s.tie);
        switch (s.arch) {
            case QWEN2 -> l.put("model_type", "qwen2").put("rms_norm_eps", 1e-6);
            case INTERNLM2 -> l.put("model_type", "internlm2").put("rms_norm_eps", 1e-5).put("bias", s.bias);
            case PHI3 -> {
                l.put("model_type", "phi3").put("rms_norm_eps", 1e-5).put("original_max_position_embeddings", s.originalMaxPositions);
                if (s.slidingWindow != null) l.put("sliding_window", s.slidingWindow);
                if (s.shortFactor != null) {
                    ObjectNode rs = l.putObject("rope_scaling");
                    rs.put("type", s.ropeType);
                    ArrayNode sf = rs.putArray("short_factor"), lf = rs.putArray("long_factor");
                    for (double v : s.shortFactor) sf.add(v);
                    for (double v : s.longFactor) lf.add(v);
                }
            }
            default -> throw new IllegalArgumentException(s.arch);
        }
        s.extra.forEach((k, v) -> l.set(k, new ObjectMapper().valueToTree(v)));
        return l;
    }

    /** Draws the language model's tensors (names under {@link #PREFIX}) from {@code rnd}. */
    public static Written tensors(Spec s, Random rnd) {
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> parts = new LinkedHashMap<>();
        int d = s.hidden, hd = d / s.heads, q = s.heads * hd, kv = s.kvHeads * hd, inter = s.inter;
        String m = PREFIX + "model.";
        boolean internlm = s.arch.equals(INTERNLM2), phi = s.arch.equals(PHI3);
        put(t, shapes, m + (internlm ? "tok_embeddings.weight" : "embed_tokens.weight"), gauss(rnd, s.vocab * d, 1), s.vocab, d);
        for (int l = 0; l < s.layers; l++) {
            String n = m + "layers." + l + ".";
            float[] inNorm = near1(rnd, d);
            float[] wq = gauss(rnd, q * d, 1 / Math.sqrt(d)), wk = gauss(rnd, kv * d, 1 / Math.sqrt(d)), wv = gauss(rnd, kv * d, 1 / Math.sqrt(d));
            float[] wo = gauss(rnd, d * q, 1 / Math.sqrt(q));
            float[] postNorm = near1(rnd, d);
            float[] gate = gauss(rnd, inter * d, 1 / Math.sqrt(d)), up = gauss(rnd, inter * d, 1 / Math.sqrt(d));
            float[] down = gauss(rnd, d * inter, 1 / Math.sqrt(inter));
            parts.put(l + ".q", wq);
            parts.put(l + ".k", wk);
            parts.put(l + ".v", wv);
            switch (s.arch) {
                case QWEN2 -> {
                    put(t, shapes, n + "input_layernorm.weight", inNorm, d);
                    put(t, shapes, n + "self_attn.q_proj.weight", wq, q, d);
                    put(t, shapes, n + "self_attn.q_proj.bias", gauss(rnd, q, 0.2), q);
                    put(t, shapes, n + "self_attn.k_proj.weight", wk, kv, d);
                    put(t, shapes, n + "self_attn.k_proj.bias", gauss(rnd, kv, 0.2), kv);
                    put(t, shapes, n + "self_attn.v_proj.weight", wv, kv, d);
                    put(t, shapes, n + "self_attn.v_proj.bias", gauss(rnd, kv, 0.2), kv);
                    put(t, shapes, n + "self_attn.o_proj.weight", wo, d, q);
                    put(t, shapes, n + "post_attention_layernorm.weight", postNorm, d);
                    put(t, shapes, n + "mlp.gate_proj.weight", gate, inter, d);
                    put(t, shapes, n + "mlp.up_proj.weight", up, inter, d);
                    put(t, shapes, n + "mlp.down_proj.weight", down, d, inter);
                }
                case INTERNLM2 -> {
                    put(t, shapes, n + "attention_norm.weight", inNorm, d);
                    put(t, shapes, n + "attention.wqkv.weight", groupedRows(wq, wk, wv, s.heads, s.kvHeads, hd, d), q + 2 * kv, d);
                    if (s.bias) {
                        float[] bq = gauss(rnd, q, 0.2), bk = gauss(rnd, kv, 0.2), bv = gauss(rnd, kv, 0.2);
                        parts.put(l + ".qBias", bq);
                        parts.put(l + ".kBias", bk);
                        parts.put(l + ".vBias", bv);
                        put(t, shapes, n + "attention.wqkv.bias", groupedRows(bq, bk, bv, s.heads, s.kvHeads, hd, 1), q + 2 * kv);
                    }
                    put(t, shapes, n + "attention.wo.weight", wo, d, q);
                    if (s.bias) put(t, shapes, n + "attention.wo.bias", gauss(rnd, d, 0.1), d);
                    put(t, shapes, n + "ffn_norm.weight", postNorm, d);
                    put(t, shapes, n + "feed_forward.w1.weight", gate, inter, d);
                    put(t, shapes, n + "feed_forward.w3.weight", up, inter, d);
                    put(t, shapes, n + "feed_forward.w2.weight", down, d, inter);
                }
                case PHI3 -> {
                    put(t, shapes, n + "input_layernorm.weight", inNorm, d);
                    put(t, shapes, n + "self_attn.qkv_proj.weight", concat(wq, wk, wv), q + 2 * kv, d);
                    put(t, shapes, n + "self_attn.o_proj.weight", wo, d, q);
                    put(t, shapes, n + "post_attention_layernorm.weight", postNorm, d);
                    put(t, shapes, n + "mlp.gate_up_proj.weight", concat(gate, up), 2 * inter, d);
                    put(t, shapes, n + "mlp.down_proj.weight", down, d, inter);
                }
                default -> throw new IllegalArgumentException(s.arch);
            }
        }
        put(t, shapes, m + "norm.weight", near1(rnd, d), d);
        if (s.writeHead) {
            String head = internlm ? "output.weight" : "lm_head.weight";
            put(t, shapes, PREFIX + head, gauss(rnd, s.vocab * d, 1 / Math.sqrt(d)), s.vocab, d);
        }
        if (phi && s.shortFactor != null && s.shortFactor.length != hd / 2) throw new IllegalArgumentException("factors need " + hd / 2);
        return new Written(t, shapes, parts);
    }

    /**
     * InternLM2's grouped layout, built from separate q/k/v rows: for KV head h, the query heads h·g … h·g+g−1,
     * then key head h, then value head h, each {@code hd} rows of {@code cols} values.
     */
    public static float[] groupedRows(float[] q, float[] k, float[] v, int heads, int kvHeads, int hd, int cols) {
        int g = heads / kvHeads, block = hd * cols;
        float[] out = new float[(heads + 2 * kvHeads) * block];
        int at = 0;
        for (int h = 0; h < kvHeads; h++) {
            for (int j = 0; j < g; j++, at += block) System.arraycopy(q, (h * g + j) * block, out, at, block);
            System.arraycopy(k, h * block, out, at, block);
            at += block;
            System.arraycopy(v, h * block, out, at, block);
            at += block;
        }
        return out;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * A standalone language-model directory: {@code config.json} holding the llm_config object and
     * {@code model.safetensors} with the tensors under {@link #PREFIX} in bf16.
     */
    public static Written write(Path dir, Spec s) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config(s).toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Written w = tensors(s, new Random(s.seed));
        writeSafetensors(dir.resolve("model.safetensors"), w.tensors(), w.shapes());
        return w;
    }

    public static void writeSafetensors(Path file, Map<String, float[]> t, Map<String, long[]> shapes) {
        SafetensorsWriter.Builder b = SafetensorsWriter.builder(file).metadata("format", "pt");
        shapes.forEach((name, shape) -> b.add(name, DType.BF16, shape));
        try (SafetensorsWriter w = b.open()) {
            t.forEach(w::writeFloats);
        }
    }

    /** A loaded standalone model and its open checkpoint; close it after use. */
    public record Loaded(LanguageModel model, LlmConfig config, Checkpoint checkpoint) implements AutoCloseable {
        @Override
        public void close() { checkpoint.close(); }
    }

    /** Loads a directory written by {@link #write} through the production parse and load paths. */
    public static Loaded load(Path dir, boolean int8) {
        LlmConfig cfg = LanguageModels.parse(ConfigNode.read(dir.resolve("config.json")));
        Checkpoint ck = Checkpoint.open(dir);
        try {
            return new Loaded(LanguageModels.load(new WeightReader(ck), PREFIX, cfg, int8), cfg, ck);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    static void put(Map<String, float[]> t, Map<String, long[]> shapes, String name, float[] data, long... shape) {
        t.put(name, data);
        shapes.put(name, shape);
    }

    static float[] gauss(Random r, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * std);
        return a;
    }

    static float[] near1(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (1 + 0.2 * r.nextGaussian());
        return a;
    }
}
