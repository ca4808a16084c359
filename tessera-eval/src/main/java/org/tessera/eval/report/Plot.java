package org.tessera.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Score against image tokens per question, one line per tiling strategy, each point labelled with its tile limit:
 * the way the InternVL and LLaVA-NeXT papers show what resolution buys. Drawn with Java2D, headless.
 */
public final class Plot {
    static final int W = 900, H = 560, LEFT = 80, RIGHT = 190, TOP = 50, BOTTOM = 70;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
            new Color(0xff7f0e), new Color(0x8c564b)};

    private Plot() {}

    public static void scoreVsImageTokens(List<SweepRow> rows, String title, Path png) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        Map<String, List<SweepRow>> series = new LinkedHashMap<>();
        for (SweepRow r : rows) {
            if (!Double.isNaN(r.score())) series.computeIfAbsent(r.settings().strategy(), k -> new ArrayList<>()).add(r);
        }
        series.values().forEach(l -> l.sort(Comparator.comparingDouble(r -> r.usage().meanImageTokens())));
        double xMax = 0, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (List<SweepRow> l : series.values()) {
            for (SweepRow r : l) {
                xMax = Math.max(xMax, r.usage().meanImageTokens());
                yMin = Math.min(yMin, r.score());
                yMax = Math.max(yMax, r.score());
            }
        }
        double[] xt = ticks(0, xMax <= 0 ? 1 : xMax * 1.05);
        double pad = Math.max(1, (yMax - yMin) * 0.1);
        double[] yt = ticks(Math.max(0, yMin - pad), Math.min(100, yMax + pad));
        double x0 = xt[0], x1 = xt[xt.length - 1], y0 = yt[0], y1 = yt[yt.length - 1];
        if (y1 <= y0) y1 = y0 + 1;

        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
            Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(Color.BLACK);
            g.drawString(title, LEFT, 30);
            g.setFont(small);
            FontMetrics fm = g.getFontMetrics();
            // grid and ticks
            for (double t : xt) {
                int x = LEFT + (int) Math.round((t - x0) / (x1 - x0) * pw);
                g.setColor(new Color(0xE6E6E6));
                g.drawLine(x, TOP, x, TOP + ph);
                g.setColor(Color.DARK_GRAY);
                String s = label(t);
                g.drawString(s, x - fm.stringWidth(s) / 2, TOP + ph + 18);
            }
            for (double t : yt) {
                int y = TOP + ph - (int) Math.round((t - y0) / (y1 - y0) * ph);
                g.setColor(new Color(0xE6E6E6));
                g.drawLine(LEFT, y, LEFT + pw, y);
                g.setColor(Color.DARK_GRAY);
                String s = label(t);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + 4);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            String xl = "image tokens per question";
            g.drawString(xl, LEFT + (pw - fm.stringWidth(xl)) / 2, H - 25);
            AffineTransform at = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString("score", -(TOP + ph / 2) - fm.stringWidth("score") / 2, 25);
            g.setTransform(at);
            // series
            int k = 0;
            for (Map.Entry<String, List<SweepRow>> e : series.entrySet()) {
                Color c = PALETTE[k % PALETTE.length];
                g.setColor(c);
                g.setStroke(new BasicStroke(2f));
                int px = -1, py = -1;
                for (SweepRow r : e.getValue()) {
                    int x = LEFT + (int) Math.round((r.usage().meanImageTokens() - x0) / (x1 - x0) * pw);
                    int y = TOP + ph - (int) Math.round((r.score() - y0) / (y1 - y0) * ph);
                    if (px >= 0) g.drawLine(px, py, x, y);
                    g.fillOval(x - 4, y - 4, 9, 9);
                    g.drawString(String.valueOf(r.settings().baseMaxTiles()), x + 6, y - 6);
                    px = x;
                    py = y;
                }
                int ly = TOP + 20 + k * 22;
                g.fillOval(LEFT + pw + 20, ly - 8, 9, 9);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), LEFT + pw + 36, ly);
                k++;
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString("labels: max tiles", LEFT + pw + 20, TOP + 20 + k * 22 + 10);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
    }

    /** About five round tick values covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        if (hi <= lo) hi = lo + 1;
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag : raw / mag < 7 ? 5 * mag : 10 * mag;
        double start = Math.floor(lo / step) * step, end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = start + i * step;
        return t;
    }

    private static String label(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
