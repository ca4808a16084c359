package org.tessera.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TileTags;
import org.tessera.vision.tiling.TilingOptions;
import org.tessera.vision.tiling.TilingStrategies;

/** {@link VisionLanguageModel#embedPrompt}: the ids and input embeddings a reference builds from the runtime's parts. */
class EmbedPromptTest {
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
    void imagePromptEqualsTheReferenceEmbeddings() {
        RgbImage img = VisionLanguageModelTest.picture(150, 90, 4);
        Request req = Request.of("Describe it.").withImage(ImageInput.of(img));
        PromptEmbeddings pe = vlm.embedPrompt(req);
        int[] ids = vlm.tokenizer().encode(vlm.promptText(req), true);
        assertArrayEquals(ids, pe.ids());
        TileBatch tiles = TilingStrategies.create("internvl", new TilingOptions(1, 12, 56, true, TileTags.NONE, 14)).render(img);
        InternVLModel m = vlm.model();
        float[] want = m.inputEmbeddings(ids, m.extractFeature(tiles.data(), tiles.count()));
        assertEquals(m.language().hiddenSize(), pe.hidden());
        assertArrayEquals(want, pe.embeddings(), 1e-6f);
    }

    @Test
    void textOnlyPromptIsTheTokenEmbeddings() {
        Request req = Request.of("Hello there");
        PromptEmbeddings pe = vlm.embedPrompt(req);
        assertArrayEquals(vlm.model().language().embed(pe.ids()), pe.embeddings());
        assertEquals(pe.ids().length, pe.length());
    }
}
