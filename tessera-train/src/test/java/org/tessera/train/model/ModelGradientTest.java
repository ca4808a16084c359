package org.tessera.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.model.ConfigNode;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.train.GradCheck;
import org.tessera.train.Parameter;
import org.tessera.train.Ref;

/**
 * Whole-model gradient checks: {@link TrainableInternVL#forwardBackward} against central finite differences of
 * {@link RefModel} (float64), for every tensor of the golden tiny checkpoint's shapes (InternViT 2 layers, Qwen2 2
 * layers, tied head, pixel shuffle v2), a variant (untied head, pixel shuffle v1, RMSNorm ViT, select_layer −2), and
 * LoRA / Partial LoRA adapters. Tolerance 1e-3 of each tensor's gradient scale: the float32 forward through ~10
 * layers and a 300-way softmax carries ~1e-6 relative noise into the analytic gradient.
 */
class ModelGradientTest {
    static final Path GOLDEN = RuntimeParityTest.GOLDEN;
    static final double TOL = 1e-3;
    static final int CTX = 299;

    @AfterAll
    static void report() {
        GradCheck.LOG.forEach(System.out::println);
    }

    /** The golden prompt (3 tiles, 30 tokens) supervised on its last 9 positions, packed with a text-only sequence. */
    static Batch goldenBatch() {
        Npy.Floats pv = Npy.readFloats(GOLDEN.resolve("pixel_values.npy"));
        int[] ids = RuntimeParityTest.ids();
        int[] targets = new int[ids.length];
        java.util.Arrays.fill(targets, -1);
        for (int t = ids.length - 10; t < ids.length - 1; t++) targets[t] = ids[t + 1];
        Batch a = Batch.of(pv.data(), pv.shape()[0], ids, targets);
        int[] ids2 = {5, 17, 200, 33, 33, 101, 7, 250, 291};
        int[] t2 = {-1, -1, -1, -1, 101, 7, 250, 291, -1};
        return Batch.pack(List.of(a, Batch.of(null, 0, ids2, t2)));
    }

    static Map<String, double[]> doubles(TrainableInternVL m) {
        Map<String, double[]> p = new HashMap<>();
        for (Parameter q : m.parameters().all()) p.put(q.name(), Ref.toDouble(q.toFloats()));
        return p;
    }

    /** Checks every tensor that has a gradient; returns the number of tensors checked. */
    static int checkAll(String tag, TrainableInternVL m, Batch b, float alpha, int samples) {
        m.parameters().zeroGrads();
        double loss = m.forwardBackward(b, 1f);
        Map<String, double[]> p = doubles(m);
        RefModel ref = new RefModel(m.config(), p, CTX, alpha);
        assertEquals(ref.loss(b), loss, 1e-4 * Math.abs(loss), "loss");
        int n = 0;
        for (Parameter q : m.parameters().all()) {
            if (!q.trainable()) {
                assertFalse(q.hasGrad(), q.name() + " is frozen but has a gradient");
                continue;
            }
            GradCheck.check(tag + " " + q.name(), p.get(q.name()), q.grad(), () -> ref.loss(b), samples, q.name().hashCode(), TOL);
            n++;
        }
        return n;
    }

    @Test
    void goldenModelEveryTensor() {
        try (TrainableInternVL m = TrainableInternVL.load(GOLDEN, CTX, 1)) {
            for (Parameter q : m.parameters().all()) q.trainable(true);
            int n = checkAll("golden", m, goldenBatch(), 0f, 6);
            assertEquals(m.parameters().all().size(), n);
            assertTrue(m.tiedHead());
        }
    }

    static InternVLConfig variantConfig() throws Exception {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = (ObjectNode) om.readTree(GOLDEN.resolve("config.json").toFile());
        ((ObjectNode) root.get("vision_config")).put("norm_type", "rms_norm");
        ((ObjectNode) root.get("llm_config")).put("tie_word_embeddings", false);
        root.put("ps_version", "v1");
        root.put("select_layer", -2);
        return InternVLConfig.parse(ConfigNode.of(root, "variant config.json"));
    }

    /** Random values with some spread (the default initialisation is too small to exercise the nonlinearities). */
    static void randomise(TrainableInternVL m, long seed) {
        Random r = new Random(seed);
        for (Parameter q : m.parameters().all()) {
            q.trainable(true);
            float[] v = q.values();
            boolean norm = q.name().contains("norm") || q.name().endsWith("ls1") || q.name().endsWith("ls2") || q.name().startsWith("mlp1.0");
            for (int i = 0; i < v.length; i++) v[i] = (float) ((norm ? 1 : 0) + r.nextGaussian() * (norm ? 0.2 : 0.25));
            q.markUpdated();
        }
    }

    @Test
    void variantUntiedV1RmsNormSelectLayer() throws Exception {
        try (TrainableInternVL m = TrainableInternVL.random(variantConfig(), CTX, 3)) {
            randomise(m, 11);
            assertFalse(m.tiedHead());
            m.parameters().zeroGrads();
            Batch b = goldenBatch();
            m.forwardBackward(b, 1f);
            // select_layer −2 on a 2-layer ViT: the last layer never runs and gets no gradient.
            for (Parameter q : m.visionLayers().get(1)) assertTrue(!q.hasGrad() || allZero(q.grad()), q.name());
            for (Parameter q : m.visionLayers().get(1)) q.trainable(false);
            checkAll("variant", m, b, 0f, 5);
        }
    }

    static boolean allZero(float[] g) {
        for (float v : g) if (v != 0f) return false;
        return true;
    }

    @Test
    void loraAndPartialLoraAdapters() {
        for (boolean partial : new boolean[] {false, true}) {
            try (TrainableInternVL m = TrainableInternVL.load(GOLDEN, CTX, 5)) {
                m.attachLora(4, 8f, partial, List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                        "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"));
                Random r = new Random(3);
                for (Parameter a : m.adapters()) { // B is zero at init; give it values so every gradient is exercised
                    float[] v = a.values();
                    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.3);
                    a.markUpdated();
                }
                int n = checkAll(partial ? "partial-lora" : "lora", m, goldenBatch(), 8f, 6);
                assertEquals(2 * 2 * 7, n);
            }
        }
    }
}
