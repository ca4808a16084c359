package org.tessera.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tessera.core.DType;
import org.tessera.core.io.SafetensorsWriter;

/**
 * Writes small random InternVL model directories (config.json + bf16 model.safetensors in the public layout) for
 * the variants the golden checkpoint does not cover. Weights are scaled like trained ones (fan-in-normalised
 * matrices, norm weights near 1, small biases, layer scales in (0.2, 1)) so activations stay O(1) through the
 * layers and the tests compare meaningful numbers rather than saturated or vanishing ones.
 */
public final class TinyCheckpoint {
    /** The knobs the variants turn; {@code null} config values are left out of config.json (original defaults apply). */
    public static final class Spec {
        public int visionHidden = 48, visionInter = 96, visionLayers = 3, visionHeads = 3, patch = 14, imageSize = 56;
        public String normType = "layer_norm";
        public Boolean qkvBias = true, qkNorm = false;
        public String psVersion = "v2";
        public Integer selectLayer = -1;
        public int llmHidden = 64, llmInter = 128, llmLayers = 2, llmHeads = 4, llmKvHeads = 2, vocab = 160;
        public boolean tie = true, writeLmHead = false;
        public double ropeTheta = 10000;
        public int maxPositions = 2048;
        public int imgContext = 150;
        public long seed = 1;
        /** When false, norm_type / qk_normalization / qkv_bias / ps_version are omitted from config.json. */
        public boolean writeVisionKinds = true;
        /** The language model's family ({@link LlmCheckpoint#QWEN2}, INTERNLM2, PHI3) and its family knobs. */
        public String llmArch = LlmCheckpoint.QWEN2;
        public boolean llmBias = false;
        public double[] shortFactor, longFactor;
        public int originalMaxPositions = 4096;

        /** The language-model part as an {@link LlmCheckpoint.Spec}. */
        public LlmCheckpoint.Spec llm() {
            LlmCheckpoint.Spec l = new LlmCheckpoint.Spec();
            l.arch = llmArch;
            l.hidden = llmHidden;
            l.inter = llmInter;
            l.layers = llmLayers;
            l.heads = llmHeads;
            l.kvHeads = llmKvHeads;
            l.vocab = vocab;
            l.tie = tie;
            l.writeHead = writeLmHead;
            l.ropeTheta = ropeTheta;
            l.maxPositions = maxPositions;
            l.bias = llmBias;
            l.shortFactor = shortFactor;
            l.longFactor = longFactor;
            l.originalMaxPositions = originalMaxPositions;
            return l;
        }
    }

    private TinyCheckpoint() {}

    public static Path write(Path dir, Spec s) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Random rnd = new Random(s.seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int c = s.visionHidden, p = s.patch, g = s.imageSize / p;
        String e = "vision_model.embeddings.";
        put(t, shapes, e + "class_embedding", gauss(rnd, c, 0.5), 1, 1, c);
        put(t, shapes, e + "patch_embedding.weight", gauss(rnd, c * 3 * p * p, 1 / Math.sqrt(3 * p * p)), c, 3, p, p);
        put(t, shapes, e + "patch_embedding.bias", gauss(rnd, c, 0.1), c);
        put(t, shapes, e + "position_embedding", gauss(rnd, (1 + g * g) * c, 0.5), 1, 1 + g * g, c);
        boolean ln = s.normType == null ? false : s.normType.equals("layer_norm");
        boolean qkvBias = s.qkvBias != null && s.qkvBias;
        boolean qkNorm = s.qkNorm == null || s.qkNorm;
        for (int l = 0; l < s.visionLayers; l++) {
            String n = "vision_model.encoder.layers." + l + ".";
            put(t, shapes, n + "norm1.weight", near1(rnd, c), c);
            if (ln) put(t, shapes, n + "norm1.bias", gauss(rnd, c, 0.1), c);
            put(t, shapes, n + "attn.qkv.weight", gauss(rnd, 3 * c * c, 1 / Math.sqrt(c)), 3 * c, c);
            if (qkvBias) put(t, shapes, n + "attn.qkv.bias", gauss(rnd, 3 * c, 0.1), 3 * c);
            if (qkNorm) {
                put(t, shapes, n + "attn.q_norm.weight", near1(rnd, c), c);
                put(t, shapes, n + "attn.k_norm.weight", near1(rnd, c), c);
            }
            put(t, shapes, n + "attn.proj.weight", gauss(rnd, c * c, 1 / Math.sqrt(c)), c, c);
            put(t, shapes, n + "attn.proj.bias", gauss(rnd, c, 0.1), c);
            put(t, shapes, n + "ls1", uniform(rnd, c, 0.2, 1), c);
            put(t, shapes, n + "norm2.weight", near1(rnd, c), c);
            if (ln) put(t, shapes, n + "norm2.bias", gauss(rnd, c, 0.1), c);
            put(t, shapes, n + "mlp.fc1.weight", gauss(rnd, s.visionInter * c, 1 / Math.sqrt(c)), s.visionInter, c);
            put(t, shapes, n + "mlp.fc1.bias", gauss(rnd, s.visionInter, 0.1), s.visionInter);
            put(t, shapes, n + "mlp.fc2.weight", gauss(rnd, c * s.visionInter, 1 / Math.sqrt(s.visionInter)), c, s.visionInter);
            put(t, shapes, n + "mlp.fc2.bias", gauss(rnd, c, 0.1), c);
            put(t, shapes, n + "ls2", uniform(rnd, c, 0.2, 1), c);
        }
        int in = 4 * c, d = s.llmHidden;
        put(t, shapes, "mlp1.0.weight", near1(rnd, in), in);
        put(t, shapes, "mlp1.0.bias", gauss(rnd, in, 0.1), in);
        put(t, shapes, "mlp1.1.weight", gauss(rnd, d * in, 1 / Math.sqrt(in)), d, in);
        put(t, shapes, "mlp1.1.bias", gauss(rnd, d, 0.1), d);
        put(t, shapes, "mlp1.3.weight", gauss(rnd, d * d, 1 / Math.sqrt(d)), d, d);
        put(t, shapes, "mlp1.3.bias", gauss(rnd, d, 0.1), d);
        LlmCheckpoint.Written llm = LlmCheckpoint.tensors(s.llm(), rnd);
        t.putAll(llm.tensors());
        shapes.putAll(llm.shapes());

        SafetensorsWriter.Builder b = SafetensorsWriter.builder(dir.resolve("model.safetensors")).metadata("format", "pt");
        shapes.forEach((name, shape) -> b.add(name, DType.BF16, shape));
        try (SafetensorsWriter w = b.open()) {
            t.forEach(w::writeFloats);
        }
        return dir;
    }

    static String config(Spec s) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.putArray("architectures").add("InternVLChatModel");
        root.put("model_type", "internvl_chat");
        ObjectNode v = root.putObject("vision_config");
        v.putArray("architectures").add("InternVisionModel");
        v.put("hidden_size", s.visionHidden).put("intermediate_size", s.visionInter).put("num_hidden_layers", s.visionLayers)
                .put("num_attention_heads", s.visionHeads).put("patch_size", s.patch).put("image_size", s.imageSize)
                .put("num_channels", 3).put("layer_norm_eps", 1e-6).put("hidden_act", "gelu");
        if (s.writeVisionKinds) {
            if (s.normType != null) v.put("norm_type", s.normType);
            if (s.qkvBias != null) v.put("qkv_bias", s.qkvBias);
            if (s.qkNorm != null) v.put("qk_normalization", s.qkNorm);
        }
        root.set("llm_config", LlmCheckpoint.config(s.llm()));
        if (s.selectLayer != null) root.put("select_layer", s.selectLayer);
        root.put("downsample_ratio", 0.5);
        if (s.writeVisionKinds && s.psVersion != null) root.put("ps_version", s.psVersion);
        root.put("template", switch (s.llmArch) {
            case LlmCheckpoint.INTERNLM2 -> "internlm2-chat";
            case LlmCheckpoint.PHI3 -> "phi3-chat";
            default -> "Hermes-2";
        }).put("force_image_size", s.imageSize).put("img_context_token_id", s.imgContext);
        return root.toPrettyString();
    }

    private static void put(Map<String, float[]> t, Map<String, long[]> shapes, String name, float[] data, long... shape) {
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

    static float[] uniform(Random r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** Random pixels [tiles, 3, size, size], roughly the range of ImageNet-normalised images. */
    public static float[] pixels(long seed, int tiles, int size) {
        return gauss(new Random(seed), tiles * 3 * size * size, 1);
    }

    /** A prompt: some text ids, then {@code images} IMG_CONTEXT ids, then more text; text ids avoid {@code imgContext}. */
    public static int[] prompt(long seed, int before, int images, int after, int vocab, int imgContext) {
        Random r = new Random(seed);
        int[] ids = new int[before + images + after];
        for (int i = 0; i < ids.length; i++) {
            if (i >= before && i < before + images) ids[i] = imgContext;
            else {
                int id;
                do id = r.nextInt(vocab); while (id == imgContext);
                ids[i] = id;
            }
        }
        return ids;
    }
}
