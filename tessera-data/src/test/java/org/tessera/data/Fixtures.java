package org.tessera.data;

import java.nio.file.Path;
import org.tessera.vision.image.RgbImage;

/** Shared test inputs: the golden tiny checkpoint and synthetic pictures. */
public final class Fixtures {
    /** The internvl-tiny-a golden directory kept with tessera-model's tests (Maven runs tests in the module directory). */
    public static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");

    private Fixtures() {}

    /** A deterministic picture with structure (gradients and stripes), w × h. */
    public static RgbImage picture(int w, int h, int seed) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (x * 255 / w + seed * 40);
                px[i + 1] = (byte) (y * 255 / h);
                px[i + 2] = (byte) (((x / 7 + y / 5 + seed) % 2) * 200);
            }
        }
        return new RgbImage(w, h, px);
    }
}
