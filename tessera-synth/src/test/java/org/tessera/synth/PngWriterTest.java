package org.tessera.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngWriterTest {
    @Test
    void decodesToTheSamePixels() throws IOException {
        Rng rng = new Rng(3);
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {300, 211}}) {
            BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) img.setRGB(x, y, rng.chance(0.5) ? 0xFFFFFF : (int) rng.nextLong() & 0xFFFFFF);
            }
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(PngWriter.encode(img)));
            assertEquals(size[0], back.getWidth());
            assertEquals(size[1], back.getHeight());
            assertArrayEquals(img.getRGB(0, 0, size[0], size[1], null, 0, size[0]), back.getRGB(0, 0, size[0], size[1], null, 0, size[0]));
        }
    }

    @Test
    void renderedSamplesAreStable() {
        SynthOptions o = SynthOptions.builder().kind(Kind.MIXED).count(1).maxSize(900).build();
        for (int i = 0; i < 4; i++) {
            Sample a = SynthDataset.render(o, Split.TRAIN, i);
            Sample b = SynthDataset.render(o, Split.TRAIN, i);
            assertEquals(a.items(), b.items());
            assertEquals(a.qas(), b.qas());
            assertArrayEquals(PngWriter.encode(a.image()), PngWriter.encode(b.image()));
        }
    }
}
