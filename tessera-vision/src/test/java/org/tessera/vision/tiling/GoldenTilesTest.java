package org.tessera.vision.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Png;

/**
 * Whole strategies (plan, resize, crop, normalise) against tiles the original Python code cut with Pillow:
 * the model cards' InternVL tiles (../shared/golden/preprocess, copied into test resources) and digests of the
 * CATTY and HD-H tiles made by resources/tiling/make_strategy_tiles.py.
 */
class GoldenTilesTest {

    private static JsonNode json(String path) throws IOException {
        try (InputStream in = GoldenTilesTest.class.getResourceAsStream(path)) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void internvlStrategyReproducesTheModelCardsTiles() throws IOException {
        for (JsonNode c : json("/golden-preprocess/manifest.json").get("cases")) {
            String image = c.get("image").asText();
            RgbImage src = Png.resource("/golden-preprocess/" + image);
            var strategy = new InternVLDynamicTiling(TilingOptions.defaults().withMaxTiles(c.get("max_tiles").asInt()));
            TilePlan plan = strategy.plan(src.width(), src.height());
            assertEquals(c.get("cols").asInt(), plan.cols(), image);
            assertEquals(c.get("rows").asInt(), plan.rows(), image);
            assertEquals(c.get("tiles").asInt(), plan.tiles().size(), image);
            JsonNode boxes = c.get("crop_boxes_in_resized_image");
            for (int i = 0; i < boxes.size(); i++) {
                Box b = plan.cropBoxes().get(i);
                assertEquals(List.of(boxes.get(i).get(0).asInt(), boxes.get(i).get(1).asInt(), boxes.get(i).get(2).asInt(), boxes.get(i).get(3).asInt()),
                        List.of((int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1()), image + " crop " + i);
            }
            List<RgbImage> tiles = strategy.crops(src, plan);
            String stem = image.replace(".png", "") + ".max" + c.get("max_tiles").asInt();
            TileBatch batch = strategy.render(src, plan);
            float[] mean = {0.485f, 0.456f, 0.406f};
            float[] std = {0.229f, 0.224f, 0.225f};
            for (int i = 0; i < tiles.size(); i++) {
                RgbImage expected = Png.resource("/golden-preprocess/" + stem + ".tile%02d.png".formatted(i));
                assertEquals("", Png.diff(expected, tiles.get(i)), image + " tile " + i);
                // ToTensor + Normalize in float32, as torchvision computes it
                int off = batch.offset(i);
                for (int p : new int[] {0, 1234, 448 * 448 - 1}) {
                    for (int ch = 0; ch < 3; ch++) {
                        float want = ((float) expected.get(p % 448, p / 448, ch) / 255f - mean[ch]) / std[ch];
                        assertEquals(want, batch.data()[off + ch * 448 * 448 + p], 0f);
                    }
                }
            }
        }
    }

    @Test
    void cattyAndHdTilesEqualTheOriginalCode() throws IOException, NoSuchAlgorithmException {
        int checked = 0;
        for (JsonNode c : json("/tiling/strategy_tiles.json").get("cases")) {
            String image = c.get("image").asText();
            RgbImage src = Png.resource("/golden-preprocess/" + image);
            TilingStrategy s = TilingStrategies.create(c.get("strategy").asText(), TilingOptions.defaults().withMaxTiles(c.get("max").asInt()));
            TilePlan plan = s.plan(src.width(), src.height());
            List<RgbImage> tiles = s.crops(src, plan);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < tiles.size(); i++) {
                // 4KHD's global view is interpolated from the float tensor, not cut with Pillow: only local tiles compare
                if (plan.tiles().get(i).kind() != Tile.Kind.GLOBAL) got.add(sha256(tiles.get(i)));
            }
            JsonNode want = c.has("tiles") ? c.get("tiles") : c.get("local_tiles");
            List<String> expected = new ArrayList<>();
            want.forEach(n -> expected.add(n.asText()));
            assertEquals(expected, got, c.get("strategy").asText() + " max " + c.get("max").asInt() + " on " + image);
            checked += expected.size();
        }
        assertEquals(true, checked > 50, "checked " + checked + " tiles");
    }

    private static String sha256(RgbImage img) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.pixels()));
    }
}
