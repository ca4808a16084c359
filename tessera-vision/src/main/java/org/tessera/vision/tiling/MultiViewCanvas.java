package org.tessera.vision.tiling;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.resample.Filter;
import org.tessera.vision.resample.PillowResize;

/**
 * Several camera views composed into one canvas in a fixed order, each labelled with its camera's name, so that a
 * single-image model sees all of them at once (Mini-InternVL's driving domain, after "Driving with InternVL":
 * six nuScenes views resized to 896×448 and laid out 3 × 2 into 2688×896, which InternVL tiling then cuts into
 * exactly 12 tiles of 448, two per view, plus the thumbnail).
 *
 * <p>The views go row by row in the order given; {@link #NUSCENES_ORDER} is the front row left to right, then the
 * back row. The exact label text, font and placement of the original are not published (UNVERIFIED); here the
 * label is the camera name in white on a dark band at the view's top-left corner.
 */
public final class MultiViewCanvas {
    /** The six nuScenes cameras: front row, then back row, each left to right. */
    public static final List<String> NUSCENES_ORDER = List.of(
            "CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT", "CAM_BACK_LEFT", "CAM_BACK", "CAM_BACK_RIGHT");

    /** One camera's image and its label. */
    public record View(String label, RgbImage image) {}

    private final int viewWidth;
    private final int viewHeight;
    private final int columns;
    private final boolean drawLabels;

    /** Mini-InternVL's driving layout: 896×448 views, three per row, labelled. */
    public static MultiViewCanvas driving() {
        return new MultiViewCanvas(896, 448, 3, true);
    }

    public MultiViewCanvas(int viewWidth, int viewHeight, int columns, boolean drawLabels) {
        if (viewWidth < 1 || viewHeight < 1 || columns < 1) {
            throw new IllegalArgumentException("view size and columns must be positive");
        }
        this.viewWidth = viewWidth;
        this.viewHeight = viewHeight;
        this.columns = columns;
        this.drawLabels = drawLabels;
    }

    /** Where view i lands in the canvas. */
    public Box viewBox(int i) {
        int c = i % columns;
        int r = i / columns;
        return new Box(c * viewWidth, r * viewHeight, (c + 1) * viewWidth, (r + 1) * viewHeight);
    }

    /** Canvas width and height for n views. */
    public int[] canvasSize(int n) {
        int cols = Math.min(n, columns);
        int rows = (n + columns - 1) / columns;
        return new int[] {cols * viewWidth, rows * viewHeight};
    }

    /** Resizes each view (Pillow bicubic), labels it, and places it; unused cells of the last row stay black. */
    public RgbImage compose(List<View> views) {
        if (views.isEmpty()) throw new IllegalArgumentException("a multi-view canvas needs at least one view");
        int[] size = canvasSize(views.size());
        RgbImage canvas = RgbImage.filled(size[0], size[1], 0, 0, 0);
        byte[] dst = canvas.pixels();
        for (int i = 0; i < views.size(); i++) {
            View v = views.get(i);
            RgbImage img = PillowResize.resize(v.image(), viewWidth, viewHeight, Filter.BICUBIC);
            if (drawLabels && v.label() != null && !v.label().isBlank()) img = label(img, v.label());
            Box b = viewBox(i);
            byte[] src = img.pixels();
            for (int y = 0; y < viewHeight; y++) {
                System.arraycopy(src, y * viewWidth * 3, dst, (((int) b.y0() + y) * size[0] + (int) b.x0()) * 3, viewWidth * 3);
            }
        }
        return canvas;
    }

    /** The camera name drawn at the top-left corner, readable at a 448 px tile's resolution. */
    static RgbImage label(RgbImage img, String text) {
        int w = img.width();
        int h = img.height();
        BufferedImage bi = PlanOverlay.toBufferedImage(img);
        byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] rgb = img.pixels();
        Graphics2D g = bi.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int fontSize = Math.max(10, h / 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fontSize));
        String shown = text.replace('_', ' ');
        int tw = g.getFontMetrics().stringWidth(shown);
        int pad = fontSize / 3;
        g.setColor(new Color(0, 0, 0, 170));
        g.fillRect(0, 0, tw + 2 * pad, fontSize + 2 * pad);
        g.setColor(Color.WHITE);
        g.drawString(shown, pad, pad + g.getFontMetrics().getAscent());
        g.dispose();
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < out.length; i += 3) {
            out[i] = bgr[i + 2];
            out[i + 1] = bgr[i + 1];
            out[i + 2] = bgr[i];
        }
        return new RgbImage(w, h, out);
    }

    /** The labels of the given views, in order (for the prompt or a report). */
    public static List<String> labels(List<View> views) {
        List<String> out = new ArrayList<>();
        for (View v : views) out.add(v.label());
        return out;
    }
}
