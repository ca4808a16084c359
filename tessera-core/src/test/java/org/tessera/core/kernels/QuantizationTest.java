package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tessera.core.kernels.bench.QuantizationAccuracy;
import org.tessera.core.kernels.bench.QuantizationAccuracy.Case;
import org.tessera.core.kernels.bench.QuantizationAccuracy.Errors;

/** The Q8_0 quantiser's format invariants and its accuracy cost (expected values argued in QuantizationAccuracy). */
class QuantizationTest {

    @Test
    void quantsAndScalesFollowTheFormat() {
        int n = 3, k = 70; // 3 blocks per row, the last one partial (6 of 32)
        SplittableRandom r = new SplittableRandom(3);
        float[] w = KernelTestData.gaussian(r, n * k, 1.0);
        for (int p = 32; p < 64; p++) w[k + p] = 0f; // an all-zero block in row 1
        WeightMatrix q = WeightMatrix.ofFloats(w, n, k).quantizeQ8(Arena.ofAuto());
        assertEquals(WeightMatrix.Format.Q8_0, q.format());
        for (int j = 0; j < n; j++) {
            for (int b = 0; b < 3; b++) {
                float amax = 0;
                for (int p = b * 32; p < Math.min(k, b * 32 + 32); p++) amax = Math.max(amax, Math.abs(w[j * k + p]));
                float s = q.scales().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, (long) j * 3 + b);
                assertEquals(amax / 127f, s, 0f, "scale row " + j + " block " + b);
                for (int p = b * 32; p < b * 32 + 32; p++) {
                    byte qv = q.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) j * 96 + p);
                    assertTrue(qv >= -127, "-128 is never used, so negation is safe");
                    if (p >= k) {
                        assertEquals(0, qv, "padding past k is zero");
                    } else {
                        // Rounding to nearest: the dequantised weight is within half a step (plus f32 slop).
                        assertTrue(Math.abs(q.get(j, p) - w[j * k + p]) <= s * 0.5f * (1 + 1e-5f) + 1e-30f,
                                "row " + j + " col " + p);
                    }
                }
            }
        }
        // An all-zero block has scale 0 and decodes to exact zeros.
        assertEquals(0f, q.get(1, 40));
    }

    @Test
    void gaussianErrorIsAsPredicted() {
        Errors e = QuantizationAccuracy.measure(Case.GAUSSIAN, 16, 1024, 256, 11);
        // Predicted ≈ 0.52 % (see QuantizationAccuracy); a lower bound too, so "no quantisation happened" fails.
        assertTrue(e.q8() > 0.003 && e.q8() < 0.008, "q8 " + e.q8());
        assertTrue(e.bf16() > 0.0008 && e.bf16() < 0.0025, "bf16 " + e.bf16());
        assertTrue(e.f16() > 0.0001 && e.f16() < 0.0003, "f16 " + e.f16());
    }

    @Test
    void structuredDataStaysWithinTwoPercent() {
        for (Case c : Case.values()) {
            Errors e = QuantizationAccuracy.measure(c, 8, 512, 128, 5);
            assertTrue(e.q8() < 0.02, c + " q8 " + e.q8());
        }
    }
}
