package org.tessera.vision.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plans against the reference rules as CPython computes them (resources/tiling/make_*.py): thousands of sizes,
 * exact-tie ratios and extreme strips included. Differences in float handling, set order or rounding show here.
 */
class ReferenceRulesTest {

    private static JsonNode load(String name) throws IOException {
        try (InputStream in = ReferenceRulesTest.class.getResourceAsStream("/tiling/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void candidateOrderMatchesCPythonSetIteration() throws IOException {
        JsonNode cases = load("candidate_orders.json").get("cases");
        for (JsonNode c : cases) {
            int min = c.get("min").asInt();
            int max = c.get("max").asInt();
            List<int[]> got = InternVLDynamicTiling.candidateGrids(min, max);
            List<String> gotS = new ArrayList<>();
            for (int[] g : got) gotS.add(g[0] + "x" + g[1]);
            List<String> want = new ArrayList<>();
            for (JsonNode g : c.get("order")) want.add(g.get(0).asInt() + "x" + g.get(1).asInt());
            assertEquals(want, gotS, "candidate order for min=" + min + " max=" + max);
        }
    }

    @Test
    void candidateOrderMatchesTheArchitectureNotes() {
        // ../shared/reference/internvl-architecture.md §6, read off CPython 3.11.7.
        assertEquals("1x1,1x2,2x1,3x1,1x3,4x1,1x4,2x2,1x5,5x1,6x1,2x3,1x6,3x2", order(1, 6));
        assertEquals("1x1,1x2,2x1,3x1,1x3,2x2,4x1,1x4,5x1,1x5,1x6,6x1,3x2,2x3,7x1,1x7,4x2,2x4,1x8,8x1,1x9,3x3,9x1,2x5,"
                + "5x2,10x1,1x10,11x1,1x11,12x1,3x4,4x3,1x12,6x2,2x6", order(1, 12));
    }

    private static String order(int min, int max) {
        List<String> s = new ArrayList<>();
        for (int[] g : InternVLDynamicTiling.candidateGrids(min, max)) s.add(g[0] + "x" + g[1]);
        return String.join(",", s);
    }

    @Test
    void internvlGridsMatchReference() throws IOException {
        for (JsonNode c : load("plan_cases.json").get("internvl")) {
            int w = c.get("w").asInt();
            int h = c.get("h").asInt();
            var opts = TilingOptions.defaults().withMinTiles(c.get("min").asInt()).withMaxTiles(c.get("max").asInt());
            TilePlan p = new InternVLDynamicTiling(opts).plan(w, h);
            assertArrayEquals(new int[] {c.get("grid").get(0).asInt(), c.get("grid").get(1).asInt()},
                    new int[] {p.cols(), p.rows()}, "grid for " + c);
        }
    }

    @Test
    void hdPartitionMatchesReference() throws IOException {
        for (JsonNode c : load("plan_cases.json").get("hd")) {
            int w = c.get("w").asInt();
            int h = c.get("h").asInt();
            var strategy = new HdPartitionTiling(TilingOptions.defaults().withMaxTiles(c.get("hd").asInt()));
            HdPartitionTiling.Transform t = strategy.transform(w, h);
            String what = c.toString();
            assertEquals(c.get("transposed").asBoolean(), t.transposed(), what);
            assertEquals(c.get("s").asInt(), t.s(), what);
            assertEquals(c.get("new_w").asInt(), t.newW(), what);
            assertEquals(c.get("new_h").asInt(), t.newH(), what);
            assertEquals(c.get("padded_h").asInt(), t.paddedH(), what);
            assertEquals(c.get("pad_top").asInt(), t.padTop(), what);
            TilePlan p = strategy.plan(w, h);
            int rowsT = t.paddedH() / 336;
            assertEquals(t.s() * rowsT + 1, p.tiles().size(), what);
            int tileRows = t.transposed() ? t.s() : rowsT; // newlines follow the rows of the image as it is shown
            assertEquals((t.s() * rowsT + 1) * 144 + 1 + (tileRows + 1) * 12, p.imageTokens(), what);
        }
    }

    @Test
    void cattyMatchesReference() throws IOException {
        for (JsonNode c : load("plan_cases.json").get("catty")) {
            int w = c.get("w").asInt();
            int h = c.get("h").asInt();
            TilePlan p = new CattyTiling(TilingOptions.defaults().withMaxTiles(c.get("max").asInt())).plan(w, h);
            String what = c.toString();
            assertEquals(c.get("resized").get(0).asInt(), p.resizedWidth(), what);
            assertEquals(c.get("resized").get(1).asInt(), p.resizedHeight(), what);
            JsonNode crops = c.get("crops");
            assertEquals(crops.size() + 1, p.tiles().size(), what);
            for (int i = 0; i < crops.size(); i++) {
                Box b = p.cropBoxes().get(i);
                assertEquals(crops.get(i).get(0).asInt(), (int) b.x0(), what);
                assertEquals(crops.get(i).get(1).asInt(), (int) b.y0(), what);
            }
        }
    }
}
