package org.tessera.vision.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** What must hold for every plan, whatever the image size: checked over random sizes from 1x1 to 20000x20000. */
class PlanPropertiesTest {

    private static void checkCommon(TilePlan p, int w, int h) {
        assertEquals(p.tiles().size(), p.cropBoxes().size());
        for (Tile t : p.tiles()) {
            Box b = t.box();
            assertTrue(b.x0() >= -1e-9 && b.y0() >= -1e-9 && b.x1() <= w + 1e-6 && b.y1() <= h + 1e-6,
                    () -> "tile " + t + " outside " + w + "x" + h);
            assertTrue(b.x0() <= b.x1() && b.y0() <= b.y1());
            if (t.isLocal()) {
                Box c = p.cropBoxes().get(t.index());
                assertTrue(c.x0() >= 0 && c.y0() >= 0 && c.x1() <= p.canvasWidth() && c.y1() <= p.canvasHeight(),
                        () -> "crop " + c + " outside the " + p.canvasWidth() + "x" + p.canvasHeight() + " canvas");
                assertEquals(p.tileSize(), c.width(), 0);
                assertEquals(p.tileSize(), c.height(), 0);
                assertTrue(t.col() >= 0 && t.col() < p.cols() && t.row() >= 0 && t.row() < p.rows());
            }
            assertEquals(p.tiles().indexOf(t), t.index());
        }
        int tokens = 0;
        for (var s : p.layout().segments()) {
            if (s instanceof InputLayout.Tokens tk) {
                assertTrue(tk.tile() >= 0 && tk.tile() < p.tiles().size());
                assertTrue(tk.from() >= 0 && tk.from() + tk.count() <= p.tokensPerTile());
                tokens += tk.count();
            }
        }
        assertEquals(p.tiles().size() * p.tokensPerTile(), tokens, "every feature of every tile is used exactly once");
    }

    @Property(tries = 400)
    void internvl(@ForAll @IntRange(min = 1, max = 20000) int w, @ForAll @IntRange(min = 1, max = 20000) int h,
                  @ForAll @IntRange(min = 1, max = 4) int min, @ForAll @IntRange(min = 4, max = 40) int max) {
        var s = new InternVLDynamicTiling(TilingOptions.defaults().withMinTiles(min).withMaxTiles(max));
        TilePlan p = s.plan(w, h);
        checkCommon(p, w, h);
        int local = p.cols() * p.rows();
        assertTrue(local >= min && local <= max, "local tiles within [min, max]");
        assertEquals(local + (local > 1 ? 1 : 0), p.tiles().size());
        assertEquals(p, s.plan(w, h), "deterministic");
    }

    @Property(tries = 400)
    void hdPartition(@ForAll @IntRange(min = 1, max = 20000) int w, @ForAll @IntRange(min = 1, max = 20000) int h,
                     @ForAll @IntRange(min = 1, max = 55) int hd) {
        var s = new HdPartitionTiling(TilingOptions.defaults().withMaxTiles(hd));
        TilePlan p = s.plan(w, h);
        checkCommon(p, w, h);
        int local = p.cols() * p.rows();
        assertTrue(local >= 1 && local <= hd, "at most hd_num local tiles");
        assertEquals(p.canvasWidth(), p.cols() * 336);
        assertEquals(p.canvasHeight(), p.rows() * 336);
        assertEquals((local + 1) * 144 + 1 + (p.rows() + 1) * 12, p.imageTokens(), "4KHD's asserted length");
        assertEquals(p, s.plan(w, h));
    }

    @Property(tries = 400)
    void catty(@ForAll @IntRange(min = 1, max = 20000) int w, @ForAll @IntRange(min = 1, max = 20000) int h,
               @ForAll @IntRange(min = 1, max = 12) int max) {
        var s = new CattyTiling(TilingOptions.defaults().withMaxTiles(max));
        TilePlan p = s.plan(w, h);
        checkCommon(p, w, h);
        int local = p.tiles().size() - 1;
        assertTrue(local >= 1 && local <= max, () -> local + " windows for max " + max);
        // The resize keeps the aspect ratio (up to the forced squash beyond max:1 and integer truncation).
        double r = (double) w / h;
        double clamped = Math.max(1.0 / max, Math.min(max, r));
        double got = (double) p.resizedWidth() / p.resizedHeight();
        assertTrue(Math.abs(got - clamped) / clamped < 336.0 / Math.min(p.resizedWidth(), p.resizedHeight()) + 1e-9,
                () -> "aspect " + got + " vs " + clamped);
        assertEquals(p, s.plan(w, h));
    }

    @Property(tries = 100)
    void stripsUpTo20000By200(@ForAll @IntRange(min = 1, max = 20000) int w, @ForAll @IntRange(min = 1, max = 200) int h) {
        for (String name : TilingStrategies.NAMES) {
            var s = TilingStrategies.create(name, TilingOptions.defaults());
            checkCommon(s.plan(w, h), w, h);
            checkCommon(s.plan(h, w), h, w);
        }
    }
}
