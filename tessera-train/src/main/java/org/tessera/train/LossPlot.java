package org.tessera.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/** The loss curve of a run as a PNG: training loss per step (and its running mean), held-out loss as points. */
public final class LossPlot {
    private LossPlot() {}

    /** A point (step, value). */
    public record Point(int step, double value) {}

    public static void write(Path png, String title, List<Point> train, List<Point> eval) {
        System.setProperty("java.awt.headless", "true");
        int w = 900, h = 520, left = 80, right = 30, top = 50, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int maxStep = 1;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (List<Point> l : List.of(train, eval)) {
            for (Point p : l) {
                maxStep = Math.max(maxStep, p.step());
                if (Double.isFinite(p.value())) {
                    lo = Math.min(lo, p.value());
                    hi = Math.max(hi, p.value());
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        lo = Math.min(0, lo);
        if (hi - lo < 1e-9) hi = lo + 1;
        hi += (hi - lo) * 0.05;
        int pw = w - left - right, ph = h - top - bottom;
        final int ms = maxStep;
        final double flo = lo, fhi = hi;
        java.util.function.IntUnaryOperator xs = s -> left + (int) Math.round((double) s / ms * pw);
        java.util.function.DoubleUnaryOperator ys = v -> top + ph - (v - flo) / (fhi - flo) * ph;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            double v = lo + (hi - lo) * i / 5;
            int y = (int) ys.applyAsDouble(v);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.3g", v), 8, y + 4);
            int s = (int) Math.round((double) ms * i / 5);
            int x = xs.applyAsInt(s);
            g.drawString(Integer.toString(s), x - 8, top + ph + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString("step", left + pw / 2 - 12, h - 18);
        g.drawString("loss (nats / supervised token)", 8, top - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left + 150, 24);
        if (!train.isEmpty()) {
            g.setColor(new Color(120, 160, 220));
            g.setStroke(new BasicStroke(1f));
            g.draw(polyline(train, xs, ys));
            // running mean over ~2% of the run, which shows the trend through the noise of small batches
            int k = Math.max(1, train.size() / 50);
            java.util.List<Point> smooth = new java.util.ArrayList<>();
            double sum = 0;
            for (int i = 0; i < train.size(); i++) {
                sum += train.get(i).value();
                if (i >= k) sum -= train.get(i - k).value();
                smooth.add(new Point(train.get(i).step(), sum / Math.min(i + 1, k)));
            }
            g.setColor(new Color(20, 60, 160));
            g.setStroke(new BasicStroke(2f));
            g.draw(polyline(smooth, xs, ys));
        }
        g.setColor(new Color(200, 60, 30));
        for (Point p : eval) {
            int x = xs.applyAsInt(p.step()), y = (int) ys.applyAsDouble(p.value());
            g.fillOval(x - 4, y - 4, 8, 8);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(20, 60, 160));
        g.drawString("train (thin: per step, thick: running mean)", left + pw - 330, top + 18);
        if (!eval.isEmpty()) {
            g.setColor(new Color(200, 60, 30));
            g.drawString("held-out", left + pw - 330, top + 34);
        }
        g.dispose();
        try {
            Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
            ImageIO.write(img, "png", tmp.toFile());
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static Path2D polyline(List<Point> pts, java.util.function.IntUnaryOperator xs, java.util.function.DoubleUnaryOperator ys) {
        Path2D.Double p = new Path2D.Double();
        boolean first = true;
        for (Point q : pts) {
            if (!Double.isFinite(q.value())) continue;
            double x = xs.applyAsInt(q.step()), y = ys.applyAsDouble(q.value());
            if (first) p.moveTo(x, y);
            else p.lineTo(x, y);
            first = false;
        }
        return p;
    }
}
