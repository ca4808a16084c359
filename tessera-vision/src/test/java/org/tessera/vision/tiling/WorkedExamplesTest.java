package org.tessera.vision.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every worked example of ../shared/reference/tiling-strategies.md, as a test. */
class WorkedExamplesTest {

    private static TilePlan plan(String strategy, int max, int w, int h) {
        return TilingStrategies.create(strategy, TilingOptions.defaults().withMaxTiles(max)).plan(w, h);
    }

    // §1.5: input, hd_num, resized WxH, padded WxH, grid rows x cols, tiles, LLM image tokens
    @ParameterizedTest
    @CsvSource({
            "1000,600,9,1008,604,1008,672,2,3,6,1045",
            "1000,600,16,1680,1008,1680,1008,3,5,15,2353",
            "1000,600,25,2016,1209,2016,1344,4,6,24,3661",
            "1000,600,55,3024,1814,3024,2016,6,9,54,8005",
            "3840,1600,9,1344,560,1344,672,2,4,8,1333",
            "3840,1600,16,1680,700,1680,1008,3,5,15,2353",
            "3840,1600,25,2352,980,2352,1008,3,7,21,3217",
            "3840,1600,55,3696,1540,3696,1680,5,11,55,8137",
            "336,3024,9,336,3024,336,3024,9,1,9,1561",
            "336,3024,16,336,3024,336,3024,9,1,9,1561",
            "336,3024,25,448,4032,672,4032,12,2,24,3757",
            "336,3024,55,672,6048,672,6048,18,2,36,5557",
            "1000,1000,25,1680,1680,1680,1680,5,5,25,3817",
            "448,448,25,1680,1680,1680,1680,5,5,25,3817",
    })
    void hdPartition(int w, int h, int hd, int rw, int rh, int pw, int ph, int rows, int cols, int tiles, int tokens) {
        TilePlan p = plan("ixc-hd", hd, w, h);
        assertEquals(List.of(rw, rh, pw, ph, rows, cols, tiles, tokens),
                List.of(p.resizedWidth(), p.resizedHeight(), p.canvasWidth(), p.canvasHeight(), p.rows(), p.cols(),
                        p.tiles().size() - 1, p.imageTokens()));
        assertEquals(Tile.Kind.GLOBAL, p.tiles().get(0).kind(), "global view first");
    }

    @ParameterizedTest
    @CsvSource({"9,1561", "16,2653", "25,4057", "55,8737"})
    void hdPartitionMaximaEqualThePapers(int hd, int tokens) {
        // The paper's per-setting maxima come from a one-column strip of hd tiles.
        assertEquals(tokens, plan("ixc-hd", hd, 336, 336 * hd).imageTokens());
    }

    @Test
    void hdPaddingIsCentredWithTheFloorHalfFirst() {
        TilePlan p = plan("ixc-hd", 25, 1000, 600); // 1209 rows padded to 1344: 67 above, 68 below
        Tile first = p.tiles().get(1);
        assertEquals(0, first.box().y0(), 1e-9);
        assertEquals((336 - 67) * 600.0 / 1209, first.box().y1(), 1e-9);
    }

    // §2.4: input, max_splits, grid, resized WxH, crop x0s (or y0s for portrait), crops, tokens
    @ParameterizedTest
    @CsvSource({
            "1000,600,8,4,2,1120,672,'0 261 522 783','0 336',1296",
            "1000,600,12,4,2,1120,672,'0 261 522 783','0 336',1296",
            "3840,1600,8,3,1,806,336,'0 235 470','0',576",
            "3840,1600,12,5,2,1612,672,'0 319 638 957 1276','0 336',1584",
            "336,3024,8,1,8,336,2688,'0','0 336 672 1008 1344 1680 2016 2352',1296",
            "336,3024,12,1,9,336,3024,'0','0 336 672 1008 1344 1680 2016 2352 2688',1440",
            "1000,1000,8,2,2,672,672,'0 336','0 336',720",
            "448,448,8,1,1,336,336,'0','0',288",
            "2000,500,8,4,1,1344,336,'0 336 672 1008','0',720",
    })
    void catty(int w, int h, int max, int cols, int rows, int rw, int rh, String xs, String ys, int tokens) {
        TilePlan p = plan("catty", max, w, h);
        assertEquals(List.of(cols, rows, rw, rh, tokens), List.of(p.cols(), p.rows(), p.resizedWidth(), p.resizedHeight(), p.imageTokens()));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                Box b = p.cropBoxes().get(r * cols + c);
                assertEquals(Integer.parseInt(xs.split(" ")[c]), (int) b.x0());
                assertEquals(Integer.parseInt(ys.split(" ")[r]), (int) b.y0());
            }
        }
        Tile last = p.tiles().get(p.tiles().size() - 1);
        assertEquals(Tile.Kind.THUMBNAIL, last.kind(), "CATTY always ends with a thumbnail, even after one crop");
    }

    // §4.1 examples and §3.4 / §4.3 grids: input, max, cols, rows, tiles incl. thumbnail, tokens
    @ParameterizedTest
    @CsvSource({
            "448,448,12,1,1,1,256",
            "800,800,12,2,2,5,1280",
            "1000,1000,12,3,3,10,2560",
            "1000,1000,6,2,2,5,1280",
            "1120,448,6,3,1,4,1024",
            "250,100,6,2,1,3,768",
            "1000,600,6,3,2,7,1792",
            "3840,1600,6,2,1,3,768",
            "336,3024,6,1,6,7,1792",
            "1000,600,12,3,2,7,1792",
            "3840,1600,12,5,2,11,2816",
            "336,3024,12,1,9,10,2560",
    })
    void internvl(int w, int h, int max, int cols, int rows, int tiles, int tokens) {
        TilePlan p = plan("internvl", max, w, h);
        assertEquals(List.of(cols, rows, tiles, tokens), List.of(p.cols(), p.rows(), p.tiles().size(), p.imageTokens()));
        assertEquals(tiles > 1, p.hasThumbnail(), "thumbnail only when there is more than one tile");
    }

    @Test
    void nvlmOneDimensionalTags() {
        var s = TilingStrategies.create("internvl", TilingOptions.defaults().withMaxTiles(6).withTags(TileTags.ONE_D));
        TilePlan p = s.plan(1000, 600);
        assertEquals(List.of("<tile_1>", "<tile_2>", "<tile_3>", "<tile_4>", "<tile_5>", "<tile_6>", "<tile_global_thumbnail>"),
                p.layout().texts());
        assertEquals("<img><tile_1><IMG_CONTEXT×256><tile_2><IMG_CONTEXT×256><tile_3><IMG_CONTEXT×256><tile_4><IMG_CONTEXT×256>"
                + "<tile_5><IMG_CONTEXT×256><tile_6><IMG_CONTEXT×256><tile_global_thumbnail><IMG_CONTEXT×256></img>", p.layout().describe());
        assertEquals(List.of("<tile_1>", "<tile_2>", "<tile_global_thumbnail>"), s.plan(3840, 1600).layout().texts());
        assertEquals(List.of("<tile_global_thumbnail>"), s.plan(448, 448).layout().texts(), "a lone tile is the global thumbnail");
        assertEquals(256, s.plan(448, 448).imageTokens());
    }

    @Test
    void nvlmTwoDimensionalTags() {
        var grid = TilingStrategies.create("internvl", TilingOptions.defaults().withMaxTiles(6).withTags(TileTags.GRID_2D));
        assertEquals(List.of("<tile_x0_y0>", "<tile_x1_y0>", "<tile_x2_y0>", "<tile_x0_y1>", "<tile_x1_y1>", "<tile_x2_y1>", "<tile_global>"),
                grid.plan(1000, 600).layout().texts());
        var box = TilingStrategies.create("internvl", TilingOptions.defaults().withMaxTiles(6).withTags(TileTags.BOX_2D));
        List<String> tags = box.plan(1000, 600).layout().texts();
        assertEquals("<box> (0, 0), (448, 448) </box>", tags.get(0));
        assertEquals("<box> (896, 448), (1344, 896) </box>", tags.get(5));
        assertEquals("<tile_global>", tags.get(6));
    }

    @Test
    void hdLayoutText() {
        TilePlan p = plan("ixc-hd", 9, 1000, 600); // 2 rows x 3 cols
        assertEquals("<img>[<IMG_CONTEXT×12><newline>]×12<sep>[<IMG_CONTEXT×36><newline>]×24</img>", p.layout().describe());
    }

    @Test
    void fixedIsOneTileAndNoThumbnail() {
        TilePlan p = plan("fixed", 0, 3840, 2160);
        assertEquals(1, p.tiles().size());
        assertFalse(p.hasThumbnail());
        assertEquals(256, p.imageTokens());
        assertTrue(p.layout().describe().startsWith("<img><IMG_CONTEXT×256>"));
    }
}
