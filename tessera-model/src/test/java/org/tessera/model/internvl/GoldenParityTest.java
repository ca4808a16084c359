package org.tessera.model.internvl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tessera.model.Fixtures.assertClose;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.core.io.Npy;
import org.tessera.model.Fixtures;

/**
 * internvl-tiny-a against the golden outputs of an independent float32 implementation (shared/golden/README.md):
 * the encoder's last hidden state, the projector output and the logits, each within 1e-4 relative. The golden data
 * is itself within 1.1e-6 of float64, so any faithful float32 forward, whatever its summation order, sits far
 * inside 1e-4; a wrong transpose, norm, eps or head shows up as errors of order 1.
 */
class GoldenParityTest {
    static InternVLModel model;
    static InternVLModel.Output out;
    static int tiles;

    @BeforeAll
    static void run() {
        model = InternVLModel.load(Fixtures.goldenDir());
        Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
        tiles = pv.shape()[0];
        out = model.forward(pv.data(), tiles, Fixtures.goldenIds());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void configAsRecorded() {
        InternVLConfig c = model.config();
        assertEquals(56, c.imageSize());
        assertEquals(4, c.tokensPerTile());
        assertEquals(299, model.imgContextTokenId());
        assertEquals(InternVLConfig.PixelShuffle.V2, c.pixelShuffle());
        assertEquals(true, ((org.tessera.model.qwen2.Qwen2Model) model.language()).weights().headTied());
    }

    @Test
    void visionLastHidden() {
        Npy.Floats g = Fixtures.goldenFloats("vit_last_hidden.npy");
        assertClose("golden vit_last_hidden", out.visionFeatures(), toDouble(g.data()), 1e-4);
    }

    @Test
    void imageEmbeds() {
        Npy.Floats g = Fixtures.goldenFloats("image_embeds.npy");
        assertEquals(g.data().length, out.imageEmbeds().length);
        assertClose("golden image_embeds", out.imageEmbeds(), toDouble(g.data()), 1e-4);
    }

    @Test
    void logits() {
        Npy.Floats g = Fixtures.goldenFloats("logits.npy");
        assertClose("golden logits", out.logits(), toDouble(g.data()), 1e-4);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
