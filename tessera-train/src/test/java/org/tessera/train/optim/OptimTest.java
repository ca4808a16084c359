package org.tessera.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.train.Parameter;

/** AdamW, the schedule and clipping against their definitions (torch.optim.AdamW, transformers' cosine schedule). */
class OptimTest {
    @Test
    void adamWMatchesTheDefinition() {
        float[] w0 = {0.5f, -1.25f, 2f, 0.1f};
        Parameter mat = Parameter.ofValues("w", new long[] {2, 2}, true, w0.clone(), null).trainable(true);
        Parameter vec = Parameter.ofValues("b", new long[] {4}, false, w0.clone(), null).trainable(true).lrScale(0.5);
        AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.1);
        double[] m = new double[4], v = new double[4], wm = new double[4], wv = new double[4];
        for (int i = 0; i < 4; i++) wm[i] = wv[i] = w0[i];
        double lr = 1e-2;
        for (int t = 1; t <= 3; t++) {
            float[] g = {0.3f * t, -0.2f, 0.05f * t * t, -1f};
            System.arraycopy(g, 0, mat.grad(), 0, 4);
            System.arraycopy(g, 0, vec.grad(), 0, 4);
            opt.step(List.of(mat, vec), lr);
            for (int i = 0; i < 4; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
                double mh = m[i] / (1 - Math.pow(0.9, t)), vh = v[i] / (1 - Math.pow(0.95, t));
                wm[i] = wm[i] * (1 - lr * 0.1) - lr * mh / (Math.sqrt(vh) + 1e-8);   // decayed: a matrix
                wv[i] = wv[i] - 0.5 * lr * mh / (Math.sqrt(vh) + 1e-8);              // no decay, half rate
            }
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(wm[i], mat.values()[i], 1e-6);
            assertEquals(wv[i], vec.values()[i], 1e-6);
        }
        assertEquals(3, opt.stepCount());
    }

    @Test
    void warmupThenCosine() {
        LrSchedule s = new LrSchedule(1e-3, 1e-5, 4, 104);
        assertEquals(1e-3 / 5, s.at(0), 1e-15);
        assertEquals(1e-3 * 4 / 5, s.at(3), 1e-15);
        assertEquals(1e-3, s.at(4), 1e-15);
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5, s.at(54), 1e-12); // half way through the decay
        assertEquals(1e-5, s.at(104), 1e-15);
        for (int i = 5; i < 104; i++) assertEquals(true, s.at(i) <= s.at(i - 1));
    }

    @Test
    void clipsTheGlobalNorm() {
        Parameter a = Parameter.ofValues("a", new long[] {2}, false, new float[2], null).trainable(true);
        Parameter b = Parameter.ofValues("b", new long[] {1}, false, new float[1], null).trainable(true);
        a.grad()[0] = 3;
        a.grad()[1] = 0;
        b.grad()[0] = 4;
        assertEquals(5.0, GradClip.clip(List.of(a, b), 1.0), 1e-9);
        assertEquals(0.6, a.grad()[0], 1e-6);
        assertEquals(0.8, b.grad()[0], 1e-6);
        assertEquals(1.0, GradClip.clip(List.of(a, b), 2.0), 1e-6); // below the limit: unchanged
        assertEquals(0.6, a.grad()[0], 1e-6);
    }
}
