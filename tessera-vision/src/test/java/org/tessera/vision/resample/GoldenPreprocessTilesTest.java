package org.tessera.vision.resample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.vision.image.RgbImage;

/**
 * The InternVL tiles that the model cards' Python code made with Pillow 9.4: resizing the source to the grid
 * (448 * cols, 448 * rows) with BICUBIC and cropping, plus the source resized straight to 448x448 as the thumbnail,
 * must reproduce every golden tile byte for byte. The grid comes from the manifest, so only resizing is under test.
 */
class GoldenPreprocessTilesTest {
    private static final String DIR = "/golden-preprocess/";

    static List<JsonNode> cases() throws IOException {
        try (InputStream in = Objects.requireNonNull(GoldenPreprocessTilesTest.class.getResourceAsStream(DIR + "manifest.json"))) {
            List<JsonNode> out = new ArrayList<>();
            new ObjectMapper().readTree(in).get("cases").forEach(out::add);
            assertEquals(5, out.size(), "golden manifest cases");
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tilesMatchGolden(JsonNode c) {
        String image = c.get("image").asText();
        String stem = image.substring(0, image.length() - ".png".length()) + ".max" + c.get("max_tiles").asInt();
        int tile = c.get("tile_size").asInt();
        RgbImage src = Png.resource(DIR + image);
        RgbImage resized = PillowResize.resize(src, tile * c.get("cols").asInt(), tile * c.get("rows").asInt(), Filter.BICUBIC);

        List<RgbImage> tiles = new ArrayList<>();
        for (JsonNode box : c.get("crop_boxes_in_resized_image")) {
            tiles.add(resized.crop(box.get(0).asInt(), box.get(1).asInt(), box.get(2).asInt(), box.get(3).asInt()));
        }
        if (c.get("thumbnail_last").asBoolean()) {
            tiles.add(PillowResize.resize(src, tile, tile, Filter.BICUBIC));
        }
        assertEquals(c.get("tiles").asInt(), tiles.size(), "tile count");
        for (int i = 0; i < tiles.size(); i++) {
            RgbImage expected = Png.resource(DIR + stem + ".tile%02d.png".formatted(i));
            assertEquals("", Png.diff(expected, tiles.get(i)), image + " tile " + i);
        }
    }
}
