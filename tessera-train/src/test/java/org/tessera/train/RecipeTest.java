package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.train.model.Batch;
import org.tessera.train.model.TrainableInternVL;

/** The stages' choices of what trains, layer-wise decay, adapters, bf16 frozen storage and accumulation. */
class RecipeTest {
    static final Path GOLDEN = TrainerTest.GOLDEN;

    static TrainableInternVL model() {
        return TrainableInternVL.load(GOLDEN, 299, 1);
    }

    static boolean all(List<Parameter> ps, boolean trainable) {
        for (Parameter p : ps) if (p.trainable() != trainable) return false;
        return true;
    }

    @Test
    void stages() {
        try (TrainableInternVL m = model()) {
            Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "projector"))));
            assertTrue(all(m.projectorParameters(), true));
            assertTrue(all(m.visionEmbeddings(), false) && all(m.languageParameters(), false));
            // frozen matrices went to bf16 (the golden checkpoint is bf16 already; they stay as mapped)
            assertEquals(WeightMatrix.Format.BF16, m.languageParameters().get(0).format());
            assertEquals(WeightMatrix.Format.F32, m.projectorParameters().get(2).format());
        }
        try (TrainableInternVL m = model()) {
            Recipe.Summary s = Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "vit"))));
            assertTrue(s.vit() && s.projector() && !s.llm());
            assertTrue(all(m.visionLayers().get(0), true) && all(m.visionLayers().get(1), true));
            // BEiT-style decay 0.9 over the 2 layers that run: layer 1 → 0.9, layer 0 → 0.81, embeddings → 0.729
            assertEquals(0.9, m.visionLayers().get(1).get(0).lrScale(), 1e-12);
            assertEquals(0.81, m.visionLayers().get(0).get(0).lrScale(), 1e-12);
            assertEquals(0.729, m.visionEmbeddings().get(0).lrScale(), 1e-12);
            assertEquals(1.0, m.projectorParameters().get(0).lrScale(), 1e-12);
        }
        try (TrainableInternVL m = model()) {
            Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "all"))));
            assertTrue(all(m.languageParameters(), true) && all(m.visionEmbeddings(), true));
            // weight decay: matrices yes; norms, biases, layer scales, embeddings no
            for (Parameter p : m.parameters().all()) {
                boolean expect = p.isMatrix() && !p.name().endsWith("embed_tokens.weight");
                assertEquals(expect, p.weightDecay(), p.name());
            }
        }
        try (TrainableInternVL m = model()) {
            Recipe.Summary s = Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "lora", "lora_rank", 4, "lora_targets", List.of("self_attn.q_proj", "mlp.down_proj")))));
            assertTrue(s.lora() && !s.projector() && !s.vit() && !s.llm());
            assertEquals(2 * 2 * 2, m.adapters().size());
            assertEquals(m.parameters().trainable().size(), m.adapters().size());
            assertEquals(8f, TrainConfig.parse(Config.of(Map.of("lora_rank", 4))).loraAlpha()); // alpha defaults to 2·rank
            assertEquals(4, m.adapters().get(0).rows());
        }
        try (TrainableInternVL m = model()) {
            var e = assertThrows(IllegalArgumentException.class, () -> Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "projector", "train_projector", false)))));
            assertTrue(e.getMessage().startsWith("nothing to train"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse(Config.of(Map.of("learning_rate", 1))));
        assertTrue(e.getMessage().startsWith("unknown training setting \"learning_rate\""), e.getMessage());
    }

    @Test
    void accumulationEqualsOneBigBatch() {
        Batch a = Batch.of(null, 0, new int[] {5, 6, 7, 8, 9, 10}, new int[] {-1, -1, 7, 8, 9, -1});
        Batch b = Batch.of(null, 0, new int[] {11, 12, 13, 14}, new int[] {-1, 13, 14, -1});
        float[] packed, accumulated;
        try (TrainableInternVL m = model()) {
            Recipe.apply(m, TrainConfig.parse(Config.of(Map.of("stage", "all", "frozen_bf16", false))));
            m.forwardBackward(Batch.pack(List.of(a, b)), 1f / 5);
            packed = m.parameters().get("language_model.model.layers.0.self_attn.q_proj.weight").grad().clone();
            m.parameters().zeroGrads();
            m.forwardBackward(a, 1f / 5);
            m.forwardBackward(b, 1f / 5);
            accumulated = m.parameters().get("language_model.model.layers.0.self_attn.q_proj.weight").grad();
        }
        double err = 0, max = 0;
        for (int i = 0; i < packed.length; i++) {
            err = Math.max(err, Math.abs(packed[i] - accumulated[i]));
            max = Math.max(max, Math.abs(packed[i]));
        }
        assertTrue(max > 0 && err / max < 1e-5, "relative difference " + err / max);
        assertFalse(Double.isNaN(err));
    }

    /** Builds config JSON from a map. */
    static final class Config {
        static com.fasterxml.jackson.databind.JsonNode of(Map<String, Object> m) {
            return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(m);
        }
    }
}
