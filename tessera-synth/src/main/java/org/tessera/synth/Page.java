package org.tessera.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A canvas that remembers what it wrote. Every string goes through {@link #text}, which draws it and appends a
 * {@link TextItem}; generators never call drawString themselves, so the record is complete. Rendering hints are
 * fixed (anti-aliased shapes and text, fractional metrics, pure strokes) and nothing depends on the platform.
 */
public final class Page {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Descender below the baseline, as a fraction of the cap height (generous for these faces). */
    static final double DESCENT = 0.32;

    final int width;
    final int height;
    final double angleDeg;
    final BufferedImage image;
    final Graphics2D g;
    private final List<TextItem> items = new ArrayList<>();

    /** A blank image of {@code width}×{@code height} filled with {@code background}, drawn on turned by {@code angleDeg}. */
    Page(int width, int height, Color background, double angleDeg) {
        this.width = width;
        this.height = height;
        this.angleDeg = angleDeg;
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_ALPHA_INTERPOLATION, RenderingHints.VALUE_ALPHA_INTERPOLATION_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(background);
        g.fillRect(0, 0, width, height);
        if (angleDeg != 0) g.rotate(Math.toRadians(angleDeg), width / 2.0, height / 2.0);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public List<TextItem> items() {
        return Collections.unmodifiableList(items);
    }

    /** How far {@link #text} would advance for this string. */
    static double advance(String s, FontBook face, double capPx) {
        return face.atCap(capPx).getStringBounds(s, FontBook.FRC).getWidth();
    }

    /** Draws {@code s} with its baseline at {@code baseline}, starting at {@code x}; returns its record. */
    TextItem text(String s, double x, double baseline, FontBook face, double capPx, Color color, String role) {
        if (s.isEmpty()) throw new IllegalArgumentException("empty text");
        double w = advance(s, face, capPx);
        g.setFont(face.atCap(capPx));
        g.setColor(color);
        g.drawString(s, (float) x, (float) baseline);
        TextItem t = new TextItem(items.size(), s, role, x, baseline - capPx, w, capPx * (1 + DESCENT), capPx, face.file());
        items.add(t);
        return t;
    }

    /** Same, right-aligned at {@code right}. */
    TextItem textRight(String s, double right, double baseline, FontBook face, double capPx, Color color, String role) {
        return text(s, right - advance(s, face, capPx), baseline, face, capPx, color, role);
    }

    /** Same, centred on {@code cx}. */
    TextItem textCenter(String s, double cx, double baseline, FontBook face, double capPx, Color color, String role) {
        return text(s, cx - advance(s, face, capPx) / 2, baseline, face, capPx, color, role);
    }

    void fill(double x, double y, double w, double h, Color color) {
        g.setColor(color);
        g.fill(new Rectangle2D.Double(x, y, w, h));
    }

    void fill(Shape s, Color color) {
        g.setColor(color);
        g.fill(s);
    }

    void line(double x0, double y0, double x1, double y1, double width, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        g.draw(new Line2D.Double(x0, y0, x1, y1));
    }

    void dashed(double x0, double y0, double x1, double y1, double width, double dash, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {(float) dash, (float) dash}, 0f));
        g.draw(new Line2D.Double(x0, y0, x1, y1));
    }

    void stroke(Shape s, double width, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(s);
    }

    /** Stops drawing; the image is final after this (save for {@link Texture}). */
    void finish() {
        g.dispose();
    }
}
