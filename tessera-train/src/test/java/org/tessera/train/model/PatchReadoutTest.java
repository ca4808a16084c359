package org.tessera.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tessera.train.Parameter;

/**
 * The patch readout (an auxiliary per-patch character loss on the InternViT features): its gradient reaches the
 * encoder and matches finite differences of the total loss, patch labels survive packing, and the head never reaches
 * the exported checkpoint.
 */
class PatchReadoutTest {

    /** The golden batch with a random label (or −1) for every patch of its three tiles. */
    static Batch labelled(TrainableInternVL m, long seed) {
        return labelled(m, seed, 1);
    }

    /** The same with {@code slots} labels per patch. */
    static Batch labelled(TrainableInternVL m, long seed, int slots) {
        Batch b = ModelGradientTest.goldenBatch();
        int g = m.config().vision().gridSize();
        int[] labels = new int[b.tiles() * g * g * slots];
        Random r = new Random(seed);
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(5) == 0 ? -1 : r.nextInt(TrainableInternVL.PATCH_CLASSES);
        return b.withPatchLabels(labels);
    }

    static double total(TrainableInternVL m, Batch b, float weight) {
        m.parameters().zeroGrads();
        double lm = m.forwardBackward(b, 1f);
        return lm + weight * m.lastPatchReadout().loss();
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheTotalLoss() {
        gradientCheck(1);
    }

    @Test
    void severalCharactersPerPatchAreSupervisedSlotBySlot() {
        gradientCheck(3);
        // with one label per patch, the other slots' rows of the head get no gradient
        try (TrainableInternVL m = TrainableInternVL.load(ModelGradientTest.GOLDEN, ModelGradientTest.CTX, 1)) {
            ModelGradientTest.randomise(m, 5);
            m.attachPatchReadout(1f);
            m.parameters().zeroGrads();
            m.forwardBackward(labelled(m, 3, 1), 1f);
            float[] gw = m.parameters().get(TrainableInternVL.PATCH_READOUT + "weight").grad();
            int c = m.config().vision().hiddenSize(), first = TrainableInternVL.PATCH_CLASSES * c;
            double inFirst = 0, inOthers = 0;
            for (int i = 0; i < gw.length; i++) {
                if (i < first) inFirst += Math.abs(gw[i]);
                else inOthers += Math.abs(gw[i]);
            }
            assertTrue(inFirst > 0 && inOthers == 0, "first slot " + inFirst + ", others " + inOthers);
            // and a label count that is no whole number of slots per patch is an error
            Batch b = ModelGradientTest.goldenBatch();
            int g = m.config().vision().gridSize();
            Batch odd = b.withPatchLabels(new int[b.tiles() * (g * g + 1)]);
            assertThrows(IllegalArgumentException.class, () -> m.forwardBackward(odd, 1f));
        }
    }

    private static void gradientCheck(int slots) {
        float weight = 0.7f;
        try (TrainableInternVL m = TrainableInternVL.load(ModelGradientTest.GOLDEN, ModelGradientTest.CTX, 1)) {
            ModelGradientTest.randomise(m, 5);
            m.attachPatchReadout(weight);
            Batch b = labelled(m, 3, slots);
            m.parameters().zeroGrads();
            m.forwardBackward(b, 1f);
            TrainableInternVL.PatchReadout pr = m.lastPatchReadout();
            assertTrue(pr.patches() > 0 && Double.isFinite(pr.loss()), "the readout ran on the labelled patches");
            int checked = 0;
            for (String name : List.of(TrainableInternVL.PATCH_READOUT + "weight", TrainableInternVL.PATCH_READOUT + "bias",
                    "vision_model.embeddings.patch_embedding.weight", "vision_model.encoder.layers.1.mlp.fc2.weight")) {
                Parameter p = m.parameters().get(name);
                float[] analytic = p.grad().clone();
                double scale = 0;
                for (float v : analytic) scale = Math.max(scale, Math.abs(v));
                assertTrue(scale > 0, name + " gets a gradient");
                Random r = new Random(name.hashCode());
                for (int k = 0; k < 4; k++) {
                    int i = r.nextInt(analytic.length);
                    float h = 1e-2f, v0 = p.values()[i];
                    p.values()[i] = v0 + h;
                    p.markUpdated();
                    double up = total(m, b, weight);
                    p.values()[i] = v0 - h;
                    p.markUpdated();
                    double down = total(m, b, weight);
                    p.values()[i] = v0;
                    p.markUpdated();
                    double numeric = (up - down) / (2 * h);
                    assertEquals(numeric, analytic[i], 3e-2 * scale + 1e-3, name + "[" + i + "]");
                    checked++;
                }
            }
            assertEquals(16, checked);
        }
    }

    @Test
    void withoutLabelsTheReadoutAddsNothing() {
        try (TrainableInternVL m = TrainableInternVL.load(ModelGradientTest.GOLDEN, ModelGradientTest.CTX, 1)) {
            ModelGradientTest.randomise(m, 5);
            Batch b = ModelGradientTest.goldenBatch();
            m.parameters().zeroGrads();
            double plain = m.forwardBackward(b, 1f);
            float[] g0 = m.parameters().get("vision_model.embeddings.patch_embedding.weight").grad().clone();
            m.attachPatchReadout(1f);
            m.parameters().zeroGrads();
            assertEquals(plain, m.forwardBackward(b, 1f), 1e-9);
            assertArrayEquals(g0, m.parameters().get("vision_model.embeddings.patch_embedding.weight").grad(), 0f);
            assertEquals(0, m.lastPatchReadout().patches());
            // and with labels it changes the encoder's gradient
            m.parameters().zeroGrads();
            m.forwardBackward(labelled(m, 9), 1f);
            assertFalse(java.util.Arrays.equals(g0, m.parameters().get("vision_model.embeddings.patch_embedding.weight").grad()));
        }
    }

    @Test
    void theHeadIsNotExported() {
        try (TrainableInternVL m = TrainableInternVL.load(ModelGradientTest.GOLDEN, ModelGradientTest.CTX, 1)) {
            int before = m.exportModel().size();
            m.attachPatchReadout(1f);
            assertEquals(before, m.exportModel().size());
            assertTrue(m.exportModel().stream().noneMatch(t -> t.name().startsWith(TrainableInternVL.PATCH_READOUT)));
            assertThrows(IllegalStateException.class, () -> m.attachPatchReadout(1f));
        }
    }

    @Test
    void packingKeepsLabelsAndMarksUnlabelledTilesUnknown() {
        Batch a = Batch.of(new float[2 * 12], 2, new int[] {1, 2}, new int[] {2, -1}).withPatchLabels(new int[] {0, 65, 66, 0, 0, 48, 49, 0});
        Batch text = Batch.of(null, 0, new int[] {3, 4}, new int[] {4, -1});
        Batch c = Batch.of(new float[12], 1, new int[] {5, 6}, new int[] {6, -1});
        Batch p = Batch.pack(List.of(a, text, c));
        assertArrayEquals(new int[] {0, 65, 66, 0, 0, 48, 49, 0, -1, -1, -1, -1}, p.patchLabels());
        assertEquals(null, Batch.pack(List.of(text, c)).patchLabels());
        // labels without tiles, and parts that disagree on patches per tile, are errors
        assertThrows(IllegalArgumentException.class, () -> text.withPatchLabels(new int[] {0}));
        Batch other = Batch.of(new float[12], 1, new int[] {7}, new int[] {-1}).withPatchLabels(new int[] {0, 1});
        assertThrows(IllegalArgumentException.class, () -> Batch.pack(List.of(a, other)));
    }
}
