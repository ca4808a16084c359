package org.tessera.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.model.internvl.InternVLModel;

/**
 * The training forward computes what the runtime computes: on the golden checkpoint, the logits of every position
 * and the image embeddings equal {@link InternVLModel#forward}'s within 1e-5 relative.
 */
class RuntimeParityTest {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");

    static double relError(float[] got, float[] want) {
        double e = 0, m = 0;
        for (int i = 0; i < want.length; i++) {
            e = Math.max(e, Math.abs(got[i] - want[i]));
            m = Math.max(m, Math.abs(want[i]));
        }
        return e / m;
    }

    static int[] ids() {
        long[] l = Npy.readLongs(GOLDEN.resolve("input_ids.npy")).data();
        int[] ids = new int[l.length];
        for (int i = 0; i < l.length; i++) ids[i] = (int) l[i];
        return ids;
    }

    @Test
    void logitsEqualTheRuntimes() {
        Npy.Floats pv = Npy.readFloats(GOLDEN.resolve("pixel_values.npy"));
        int tiles = pv.shape()[0];
        int[] ids = ids();
        try (InternVLModel runtime = InternVLModel.load(GOLDEN);
             TrainableInternVL model = TrainableInternVL.load(GOLDEN, runtime.imgContextTokenId(), 1)) {
            InternVLModel.Output want = runtime.forward(pv.data(), tiles, ids);
            float[] got = model.logits(Batch.of(pv.data(), tiles, ids, new int[ids.length]));
            assertEquals(want.logits().length, got.length);
            double rel = relError(got, want.logits());
            System.out.printf("training forward vs runtime: logits relative difference %.3g%n", rel);
            assertTrue(rel <= 1e-5, "logits relative error " + rel);
            double relImg = relError(model.imageEmbeddings(pv.data(), tiles), want.imageEmbeds());
            assertTrue(relImg <= 1e-5, "image embeddings relative error " + relImg);
            // and the golden reference logits (computed by the original PyTorch code) as the runtime matches them
            assertTrue(relError(got, Npy.readFloats(GOLDEN.resolve("logits.npy")).data()) <= 1e-4);
        }
    }
}
