package org.tessera.vision.tiling;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import org.tessera.vision.image.RgbImage;

/**
 * Draws a plan over its image so a person sees at a glance what the model will see: each local tile's box in its
 * own colour with a translucent fill (overlaps show darker), its number, and a header with the strategy, grid and
 * image-token count. Large images are drawn scaled down to at most {@code maxSide} pixels.
 */
public final class PlanOverlay {
    private static final Color[] PALETTE = {
            new Color(230, 25, 75), new Color(60, 180, 75), new Color(0, 130, 200), new Color(245, 130, 48),
            new Color(145, 30, 180), new Color(70, 240, 240), new Color(240, 50, 230), new Color(210, 245, 60),
            new Color(0, 128, 128), new Color(170, 110, 40), new Color(128, 0, 0), new Color(0, 0, 128)};

    private PlanOverlay() {}

    public static BufferedImage draw(RgbImage image, TilePlan plan, int maxSide) {
        double scale = Math.min(1.0, (double) maxSide / Math.max(image.width(), image.height()));
        int w = Math.max(1, (int) Math.round(image.width() * scale));
        int h = Math.max(1, (int) Math.round(image.height() * scale));
        int header = 28;
        BufferedImage out = new BufferedImage(Math.max(w, 360), h + header, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(new Color(32, 32, 32));
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(toBufferedImage(image), 0, header, w, h, null);

        int locals = 0;
        for (Tile t : plan.tiles()) {
            if (!t.isLocal()) continue;
            Color c = PALETTE[locals++ % PALETTE.length];
            int x0 = (int) Math.round(t.box().x0() * scale);
            int y0 = header + (int) Math.round(t.box().y0() * scale);
            int bw = (int) Math.round(t.box().width() * scale);
            int bh = (int) Math.round(t.box().height() * scale);
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.18f));
            g.setColor(c);
            g.fillRect(x0, y0, bw, bh);
            g.setComposite(AlphaComposite.SrcOver);
            g.setStroke(new BasicStroke(2f));
            g.drawRect(x0 + 1, y0 + 1, Math.max(0, bw - 2), Math.max(0, bh - 2));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(Color.BLACK);
            g.fillRect(x0 + 3, y0 + 3, 26, 18);
            g.setColor(c);
            g.drawString(Integer.toString(t.index() + 1), x0 + 6, y0 + 17);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(Color.WHITE);
        String thumb = plan.hasThumbnail() ? (plan.strategy().equals("ixc-hd") ? " + global view" : " + thumbnail") : "";
        g.drawString(String.format("%s  %dx%d → %d×%d tiles%s = %d tiles of %d px, %d image tokens",
                plan.strategy(), plan.width(), plan.height(), plan.cols(), plan.rows(), thumb, plan.tiles().size(),
                plan.tileSize(), plan.imageTokens()), 8, 19);
        g.dispose();
        return out;
    }

    /** A TYPE_3BYTE_BGR copy of an RGB raster. */
    public static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage bi = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.pixels();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return bi;
    }
}
