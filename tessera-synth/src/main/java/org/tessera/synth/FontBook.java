package org.tessera.synth;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The faces the generator draws with. They are bundled as resources (Liberation 2 and DejaVu, licences beside them)
 * and loaded with {@link Font#createFont}, so no system font is ever used and every machine with the same JDK renders
 * the same pixels. Sizes are asked for by cap height (the height of a capital or a digit), the number that decides
 * whether text survives being shrunk into one tile.
 */
public enum FontBook {
    SANS("LiberationSans-Regular.ttf"),
    SANS_BOLD("LiberationSans-Bold.ttf"),
    SERIF("LiberationSerif-Regular.ttf"),
    SERIF_BOLD("LiberationSerif-Bold.ttf"),
    MONO("LiberationMono-Regular.ttf"),
    MONO_DV("DejaVuSansMono.ttf"),
    MONO_DV_BOLD("DejaVuSansMono-Bold.ttf");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    public static final FontRenderContext FRC = new FontRenderContext(null, true, true);

    private final String file;
    private volatile Font base;
    private volatile double capRatio;

    FontBook(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    /** The regular face's bold partner (itself when there is none). */
    public FontBook bold() {
        return switch (this) {
            case SANS, SANS_BOLD -> SANS_BOLD;
            case SERIF, SERIF_BOLD -> SERIF_BOLD;
            case MONO_DV, MONO_DV_BOLD -> MONO_DV_BOLD;
            case MONO -> MONO_DV_BOLD;
        };
    }

    public boolean monospaced() {
        return this == MONO || this == MONO_DV || this == MONO_DV_BOLD;
    }

    /** The font whose capitals are {@code capPx} pixels high. */
    public Font atCap(double capPx) {
        load();
        return base.deriveFont((float) (capPx / capRatio));
    }

    /** Cap height over em size: 0.65–0.73 for these faces. */
    public double capRatio() {
        load();
        return capRatio;
    }

    private void load() {
        if (base != null) return;
        synchronized (FontBook.class) {
            if (base != null) return;
            try (InputStream in = FontBook.class.getResourceAsStream("fonts/" + file)) {
                if (in == null) throw new IllegalStateException("font resource missing: fonts/" + file);
                Font f = Font.createFont(Font.TRUETYPE_FONT, in);
                Font big = f.deriveFont(1000f);
                GlyphVector gv = big.createGlyphVector(FRC, "H");
                capRatio = gv.getVisualBounds().getHeight() / 1000.0;
                base = f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (FontFormatException e) {
                throw new IllegalStateException("bad font resource " + file, e);
            }
        }
    }
}
