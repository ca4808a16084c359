package org.tessera.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A sheet for people to look at: per sample a thumbnail of the whole page, the first question's answer cut out at
 * 100% (outlined in red), and a caption (id, kind, size, smallest text, the question and its answer).
 */
public final class ContactSheet {
    static final int THUMB = 320;
    static final int CROP_W = 320;
    static final int CROP_H = 110;
    static final int CAPTION = 64;
    static final int PAD = 12;

    private ContactSheet() {}

    /** The sheet for these samples (with pixels) and ids, {@code columns} wide. */
    public static BufferedImage draw(List<Sample> samples, List<String> ids, int columns) {
        int cellW = THUMB + PAD;
        int cellH = THUMB + CROP_H + CAPTION + 2 * PAD;
        int rows = (samples.size() + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(columns * cellW + PAD, rows * cellH + PAD, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(new Color(214, 214, 214));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            int x0 = PAD + (i % columns) * cellW;
            int y0 = PAD + (i / columns) * cellH;
            // thumbnail, aspect kept, area-averaged
            double scale = Math.min(THUMB / (double) s.width(), THUMB / (double) s.height());
            int tw = Math.max(1, (int) Math.round(s.width() * scale));
            int th = Math.max(1, (int) Math.round(s.height() * scale));
            java.awt.Image thumb = s.image().getScaledInstance(tw, th, java.awt.Image.SCALE_AREA_AVERAGING);
            g.drawImage(thumb, x0 + (THUMB - tw) / 2, y0 + (THUMB - th) / 2, null);
            // the first answer at 100%, centred in the crop (in rotated pages the box is where it was before turning)
            Qa qa = s.qas().get(0);
            TextItem t = s.items().get(qa.answerItem());
            double[] c = {t.x() + t.w() / 2, t.y() + t.h() / 2};
            AffineTransform.getRotateInstance(Math.toRadians(s.angleDeg()), s.width() / 2.0, s.height() / 2.0).transform(c, 0, c, 0, 1);
            int cx = (int) Math.round(c[0]) - CROP_W / 2;
            int cy = (int) Math.round(c[1]) - CROP_H / 2;
            int yc = y0 + THUMB + PAD / 2;
            g.setColor(Color.WHITE);
            g.fillRect(x0, yc, CROP_W, CROP_H);
            int sx = Math.max(0, cx), sy = Math.max(0, cy);
            int ex = Math.min(s.width(), cx + CROP_W), ey = Math.min(s.height(), cy + CROP_H);
            if (ex > sx && ey > sy) {
                g.drawImage(s.image().getSubimage(sx, sy, ex - sx, ey - sy), x0 + sx - cx, yc + sy - cy, null);
            }
            Graphics2D gb = (Graphics2D) g.create();
            gb.clipRect(x0, yc, CROP_W, CROP_H);
            gb.translate(x0 - cx, yc - cy);
            gb.rotate(Math.toRadians(s.angleDeg()), s.width() / 2.0, s.height() / 2.0);
            gb.setColor(new Color(220, 30, 30));
            gb.setStroke(new BasicStroke(1f));
            gb.draw(new Rectangle2D.Double(t.x() - 2, t.y() - 2, t.w() + 4, t.h() + 4));
            gb.dispose();
            // caption
            g.setColor(Color.BLACK);
            g.setFont(FontBook.SANS.atCap(8));
            int yt = yc + CROP_H + 14;
            g.drawString(String.format(Locale.ROOT, "%s  %s  %dx%d  min text %.1f px", ids.get(i), s.kind().label(), s.width(),
                    s.height(), s.minTextPx()), x0, yt);
            g.drawString(clip(g, qa.question(), THUMB), x0, yt + 15);
            g.setFont(FontBook.SANS_BOLD.atCap(8));
            g.drawString(clip(g, "→ " + qa.answer() + String.format(Locale.ROOT, "   (%.1f px)", qa.answerTextPx()), THUMB), x0, yt + 30);
        }
        g.dispose();
        return sheet;
    }

    private static String clip(Graphics2D g, String s, int width) {
        if (g.getFontMetrics().stringWidth(s) <= width) return s;
        while (s.length() > 1 && g.getFontMetrics().stringWidth(s + "…") > width) s = s.substring(0, s.length() - 1);
        return s + "…";
    }
}
