package org.tessera.vision.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.vision.image.RgbImage;

class VideoAndMultiViewTest {

    @Test
    void frameIndicesMatchTheModelCard() {
        // Expected values from the model card's get_index run with NumPy (np.round is half-to-even).
        assertArrayEquals(new int[] {6, 18, 31, 43, 56, 68, 80, 93}, VideoFrames.sampleIndices(100, 8));
        assertArrayEquals(new int[] {0, 1, 2, 2, 3, 4, 4, 5}, VideoFrames.sampleIndices(7, 8));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0}, VideoFrames.sampleIndices(1, 8));
        assertArrayEquals(new int[] {15, 46, 77, 108, 139, 171, 202, 233}, VideoFrames.sampleIndices(250, 8));
        assertArrayEquals(new int[] {4, 12, 20, 28}, VideoFrames.sampleIndices(33, 4));
        assertArrayEquals(new int[] {1, 4, 6}, VideoFrames.sampleIndices(9, 3));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14, 15, 16, 17, 18, 19, 20, 21,
                22, 23, 24, 24, 25, 26, 27, 28}, VideoFrames.sampleIndices(30, 32));
    }

    @Test
    void framePrompt() {
        assertEquals("Frame1: <image>\nFrame2: <image>\nFrame3: <image>\n", VideoFrames.promptPrefix(3));
        assertEquals(List.of("f1", "f4", "f6"), VideoFrames.sample(List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"), 3));
        assertThrows(IllegalArgumentException.class, () -> VideoFrames.sampleIndices(0, 8));
        assertThrows(IllegalArgumentException.class, () -> VideoFrames.sampleIndices(10, 0));
    }

    @Test
    void drivingCanvasIsTwelveTilesTwoPerView() {
        MultiViewCanvas canvas = MultiViewCanvas.driving();
        List<MultiViewCanvas.View> views = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // each camera a distinct flat colour, at a size other than the canvas cell
            views.add(new MultiViewCanvas.View(MultiViewCanvas.NUSCENES_ORDER.get(i), RgbImage.filled(1600, 900, 40 * i, 200 - 30 * i, 100)));
        }
        RgbImage img = canvas.compose(views);
        assertEquals(2688, img.width());
        assertEquals(896, img.height());
        // bottom-right of each cell is away from the label and keeps the camera's colour
        for (int i = 0; i < 6; i++) {
            Box b = canvas.viewBox(i);
            int x = (int) b.x1() - 10;
            int y = (int) b.y1() - 10;
            assertEquals(40 * i, img.get(x, y, 0));
            assertEquals(200 - 30 * i, img.get(x, y, 1));
        }
        // the label darkens the top-left corner of each view
        assertEquals(true, img.get(2, 2, 1) < 200);
        TilePlan p = new InternVLDynamicTiling(TilingOptions.defaults()).plan(img.width(), img.height());
        assertEquals(6, p.cols());
        assertEquals(2, p.rows());
        assertEquals(13, p.tiles().size());
        // every local tile lies inside one view
        for (Tile t : p.tiles()) {
            if (!t.isLocal()) continue;
            int view = (t.row()) * 3 + t.col() / 2;
            Box vb = canvas.viewBox(view);
            assertEquals(true, t.box().x0() >= vb.x0() - 1e-9 && t.box().x1() <= vb.x1() + 1e-9);
        }
    }
}
