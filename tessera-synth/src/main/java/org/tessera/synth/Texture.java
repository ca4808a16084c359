package org.tessera.synth;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Scanner and paper imperfections, scaled by the noise knob: uneven illumination (a smooth shading across the page),
 * a faint stain, and dark specks. No per-pixel grain: it would make every PNG several times larger and slower to
 * write without making the text any harder to read than blur and size already do.
 */
final class Texture {
    private Texture() {}

    static void apply(Page page, Rng rng, double noise) {
        if (noise <= 0) return;
        BufferedImage img = page.image;
        int w = img.getWidth();
        int h = img.getHeight();
        java.awt.Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        // a stain: a large, very faint blot
        if (rng.chance(0.3 * noise)) {
            double r = Math.min(w, h) * rng.uniform(0.1, 0.3);
            g.setColor(new Color(140, 110, 60, (int) Math.round(3 + 7 * noise)));
            g.fill(new Ellipse2D.Double(rng.uniform(0, w) - r, rng.uniform(0, h) - r, 2 * r * rng.uniform(0.7, 1.3), 2 * r));
        }
        // specks: small dark dots, about one per 40,000 px at full noise
        int specks = (int) Math.round(noise * (double) w * h / 40_000 * rng.uniform(0.3, 1.0));
        for (int i = 0; i < specks; i++) {
            double r = rng.uniform(0.4, 1.4);
            int a = rng.range(40, 150);
            g.setColor(new Color(30, 30, 30, a));
            g.fill(new Ellipse2D.Double(rng.uniform(0, w), rng.uniform(0, h), 2 * r, 2 * r * rng.uniform(0.6, 1.4)));
        }
        g.dispose();
        // shading: brightness falls off linearly towards one corner by up to 8% at full noise
        double depth = noise * rng.uniform(0.02, 0.08);
        double ax = rng.uniform(-1, 1);
        double ay = rng.uniform(-1, 1);
        double norm = Math.abs(ax) + Math.abs(ay);
        if (norm < 1e-6 || depth < 0.004) return;
        ax /= norm;
        ay /= norm;
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int[] lut = new int[256 * 64];
        for (int level = 0; level < 64; level++) {
            double f = 1 - depth * level / 63.0;
            for (int v = 0; v < 256; v++) lut[level * 256 + v] = (int) Math.round(v * f);
        }
        double dt = ax / w;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            double t = ay * (y / (double) h - 0.5) - ax * 0.5 + 0.5; // 0..1 across the page, linear in x
            int lastIn = -1, lastOut = 0, lastLevel = -1;
            for (int x = 0; x < w; x++, t += dt) {
                int level = t <= 0 ? 0 : t >= 1 ? 63 : (int) (t * 63);
                int p = px[row + x];
                if (p == lastIn && level == lastLevel) {
                    px[row + x] = lastOut;
                    continue;
                }
                int base = level << 8;
                int q = lut[base + ((p >>> 16) & 0xFF)] << 16 | lut[base + ((p >>> 8) & 0xFF)] << 8 | lut[base + (p & 0xFF)];
                lastIn = p;
                lastLevel = level;
                lastOut = q;
                px[row + x] = q;
            }
        }
    }
}
