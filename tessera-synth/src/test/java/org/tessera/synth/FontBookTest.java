package org.tessera.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Font;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The faces come from the bundled files, never from the system, and are sized by cap height. */
class FontBookTest {
    @Test
    void bundledFacesLoad() throws IOException {
        long bytes = 0;
        for (FontBook f : FontBook.values()) {
            Font font = f.atCap(10);
            String family = font.getFamily(java.util.Locale.ROOT);
            assertTrue(family.startsWith("Liberation") || family.startsWith("DejaVu"), f + " came out as " + family);
            assertTrue(f.capRatio() > 0.6 && f.capRatio() < 0.8, f + ": cap ratio " + f.capRatio());
            double h = font.createGlyphVector(FontBook.FRC, "H").getVisualBounds().getHeight();
            assertEquals(10, h, 0.05, f + ": an H should be 10 px high");
            try (InputStream in = FontBook.class.getResourceAsStream("fonts/" + f.file())) {
                assertNotNull(in);
                bytes += in.readAllBytes().length;
            }
        }
        assertTrue(bytes < 3_000_000, "bundled fonts take " + bytes + " bytes");
        assertNotNull(FontBook.class.getResourceAsStream("fonts/LICENSE-Liberation.txt"));
        assertNotNull(FontBook.class.getResourceAsStream("fonts/LICENSE-DejaVu.txt"));
    }
}
