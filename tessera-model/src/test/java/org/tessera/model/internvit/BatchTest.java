package org.tessera.model.internvit;

import static org.tessera.model.Fixtures.assertClose;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.model.Fixtures;
import org.tessera.model.internvl.InternVLModel;

/**
 * All tiles of a request go through the encoder as one batch; the result must equal encoding each tile alone
 * (tiles never attend to each other). Each output is the same dot products in the same order either way, so the
 * difference is at most rounding noise from how work is split (1e-6 relative allows that and nothing else).
 */
class BatchTest {
    @Test
    void batchEqualsTilesOneByOne() {
        try (InternVLModel m = InternVLModel.load(Fixtures.goldenDir())) {
            Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
            int tiles = pv.shape()[0], size = pv.shape()[2];
            int perTile = 3 * size * size;
            float[] batch = m.vision().forward(pv.data(), tiles, size);
            int out = batch.length / tiles;
            for (int t = 0; t < tiles; t++) {
                float[] one = m.vision().forward(Arrays.copyOfRange(pv.data(), t * perTile, (t + 1) * perTile), 1, size);
                assertClose("tile " + t + " alone vs in batch", Arrays.copyOfRange(batch, t * out, (t + 1) * out), one, 1e-6);
            }
            float[] img = m.extractFeature(pv.data(), tiles);
            int rows = m.tokensPerTile() * m.config().llm().hiddenSize();
            for (int t = 0; t < tiles; t++) {
                float[] one = m.extractFeature(Arrays.copyOfRange(pv.data(), t * perTile, (t + 1) * perTile), 1);
                assertClose("tile " + t + " image embeds alone vs batch", Arrays.copyOfRange(img, t * rows, (t + 1) * rows), one, 1e-6);
            }
        }
    }
}
