package org.tessera.data.ppl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TileTags;
import org.tessera.vision.tiling.TilingOptions;
import org.tessera.vision.tiling.TilingStrategies;

/**
 * Perplexity by teacher forcing against a plain reference: one full {@link InternVLModel#forward} over prompt and
 * caption together, log-softmax of its logits at the caption's positions, exp of the mean.
 */
class PerplexityTest {
    static final Path GOLDEN = org.tessera.data.Fixtures.GOLDEN;
    static VisionLanguageModel vlm;

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(GOLDEN);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    static RgbImage picture(int w, int h, int seed) {
        return org.tessera.data.Fixtures.picture(w, h, seed);
    }

    /** The reference: everything recomputed in one forward, then plain log-softmax in double. */
    static double reference(RgbImage img, String prompt, String caption, boolean scoreEnd) {
        String text = vlm.promptText(Request.of(prompt).withImage(ImageInput.of(img)));
        int[] p = vlm.tokenizer().encode(text, true);
        int[] c = vlm.tokenizer().encode(caption, false);
        if (scoreEnd) {
            c = Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = vlm.tokenizer().tokenId("<|im_end|>");
        }
        int[] ids = Arrays.copyOf(p, p.length + c.length);
        System.arraycopy(c, 0, ids, p.length, c.length);
        TileBatch tiles = TilingStrategies.create("internvl", new TilingOptions(1, 12, 56, true, TileTags.NONE, 14)).render(img);
        float[] logits = vlm.model().forward(tiles.data(), tiles.count(), ids).logits();
        int vocab = vlm.model().language().vocabSize();
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
            int row = (p.length - 1 + i) * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[row + v]);
            double z = 0;
            for (int v = 0; v < vocab; v++) z += Math.exp(logits[row + v] - max);
            double logp = logits[row + c[i]] - max - Math.log(z);
            sum += -logp;
        }
        return Math.exp(sum / c.length);
    }

    @Test
    void captionPerplexityEqualsTheFullForwardReference() {
        RgbImage img = picture(150, 90, 1);
        String caption = "a striped picture with a gradient, seen from above";
        Perplexity.Score s = new Perplexity(vlm).score(ImageInput.of(img), caption);
        double want = reference(img, Perplexity.POINTS_PROMPT, caption, false);
        assertEquals(vlm.tokenizer().encode(caption, false).length, s.tokens());
        assertEquals(want, s.ppl(), want * 1e-5, "ppl " + s.ppl() + " vs reference " + want);
        assertEquals(Math.log(s.ppl()) * s.tokens(), s.nll(), 1e-9 * s.tokens());
    }

    @Test
    void longCaptionsRunInChunksAndCanScoreTheEndToken() {
        RgbImage img = picture(60, 100, 2);
        String caption = "word ".repeat(40).strip() + " and more: 0123456789 abcdefghij klmnopqrst uvwxyz";
        assertTrue(vlm.tokenizer().encode(caption, false).length > Perplexity.CHUNK, "more tokens than one chunk");
        Perplexity p = new Perplexity(vlm, "Describe.", true, Tiling.MODEL_DEFAULT);
        double want = reference(img, "Describe.", caption, true);
        Perplexity.Score s = p.score(ImageInput.of(img), caption);
        assertEquals(want, s.ppl(), want * 1e-5);
        assertEquals(vlm.tokenizer().encode(caption, false).length + 1, s.tokens());
    }

    @Test
    void corpusPerplexityPoolsTokens() {
        var a = new Perplexity.Score(Math.exp(2.0), 2.0 * 3, 3);
        var b = new Perplexity.Score(Math.exp(1.0), 1.0 * 1, 1);
        assertEquals(Math.exp(7.0 / 4), Perplexity.corpus(List.of(a, b)), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Perplexity(vlm).continuation(""));
    }

    @Test
    void negLogSoftmaxIsStable() {
        float[] l = {1000f, 1000f, 0f};
        assertEquals(Math.log(2), Perplexity.negLogSoftmax(l, 0, 3, 0), 1e-12);
        assertArrayEquals(new float[] {1000f, 1000f, 0f}, l);
    }
}
