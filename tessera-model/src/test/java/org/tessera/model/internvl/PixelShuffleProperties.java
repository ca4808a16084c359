package org.tessera.model.internvl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.tessera.model.ReferenceInternVL;

/**
 * The closed-form pixel shuffle equals the original's literal view/permute sequence for any factor, grid, width
 * and tile count, in both versions (the golden data only exercises factor 2, v2).
 */
class PixelShuffleProperties {
    @Property(tries = 200)
    void closedFormEqualsViewPermuteSequence(@ForAll @IntRange(min = 1, max = 3) int tiles, @ForAll @IntRange(min = 1, max = 3) int f,
                                             @ForAll @IntRange(min = 1, max = 4) int blocks, @ForAll @IntRange(min = 1, max = 5) int c,
                                             @ForAll boolean v2, @ForAll long seed) {
        int g = f * blocks, seq = 1 + g * g;
        Random r = new Random(seed);
        float[] feats = new float[tiles * seq * c];
        for (int i = 0; i < feats.length; i++) feats[i] = r.nextFloat();
        InternVLConfig.PixelShuffle version = v2 ? InternVLConfig.PixelShuffle.V2 : InternVLConfig.PixelShuffle.V1;
        float[] got = InternVLModel.pixelShuffle(feats, tiles, g, c, f, version);

        // The original, on x = features[:, 1:] viewed as [n, w=g, h=g, c] with scale s = 1/f:
        // x.view(n, w, h·s, c/s).permute(0,2,1,3) → .view(n, h·s, w·s, c/s²) → (v2) .permute(0,2,1,3)
        double[] x = new double[tiles * g * g * c];
        for (int n = 0; n < tiles; n++) for (int i = 0; i < g * g * c; i++) x[n * g * g * c + i] = feats[n * seq * c + c + i];
        x = ReferenceInternVL.permute0213(x, tiles, g, g / f, c * f);
        if (v2) x = ReferenceInternVL.permute0213(x, tiles, g / f, g / f, c * f * f);
        assertEquals(x.length, got.length);
        for (int i = 0; i < x.length; i++) assertEquals((float) x[i], got[i], 0f, "index " + i);
    }
}
