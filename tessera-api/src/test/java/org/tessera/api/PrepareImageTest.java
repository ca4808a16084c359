package org.tessera.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;

/** {@link VisionLanguageModel#prepareImage}: the same tiles and prompt text that {@code ask} uses. */
class PrepareImageTest {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static VisionLanguageModel vlm;

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(GOLDEN);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    @Test
    void matchesWhatAskPrepares() {
        RgbImage img = VisionLanguageModelTest.picture(150, 70, 3);
        VisionLanguageModel.PreparedImage p = vlm.prepareImage(ImageInput.of(img), Tiling.internvl(4));
        // 150×70 at max 4 tiles: a 2×1 grid plus the thumbnail.
        assertEquals(3, p.tiles().count());
        assertEquals(56, p.tiles().size());
        assertEquals(3 * 4, p.tokens().contextTokens());
        // The tiles are the tiler's own rendering of the same plan.
        TileBatch direct = vlm.strategy(Tiling.internvl(4), false).render(img, p.plan());
        assertArrayEquals(direct.data(), p.tiles().data());
        // The prompt text ask() would tokenize holds exactly this image text.
        String prompt = vlm.promptText(Request.of("what?").withImage(ImageInput.of(img)).withTiling(Tiling.internvl(4)));
        assertTrue(prompt.contains(p.tokens().expand(InternVLModel.IMG_CONTEXT) + "\nwhat?"), prompt);
    }

    @Test
    void modelDefaultTilingWhenNull() {
        RgbImage img = VisionLanguageModelTest.picture(56, 56, 1);
        VisionLanguageModel.PreparedImage p = vlm.prepareImage(ImageInput.of(img), null);
        assertEquals(1, p.tiles().count());
        assertEquals(4, p.tokens().contextTokens());
    }
}
