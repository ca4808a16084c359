package org.tessera.vision.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Decode timing against Pillow, by hand (not a test). Make a 3840x2160 JPEG and time Pillow on it:
 * <pre>
 * /usr/bin/python3 -c "
 * import numpy as np, time; from PIL import Image
 * y, x = np.mgrid[0:2160, 0:3840].astype(np.float32); rng = np.random.default_rng(0)
 * img = np.stack([128 + 100*np.sin(x/97)*np.cos(y/53), 128 + 100*np.sin((x+y)/151),
 *                 128 + 90*np.cos(np.hypot(x-1900, y-1000)/40)], -1) + rng.normal(0, 12, (2160, 3840, 3))
 * Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save('/tmp/big.jpg', quality=90)
 * ts = []
 * for i in range(15): t = time.perf_counter(); Image.open('/tmp/big.jpg').convert('RGB'); ts.append(time.perf_counter() - t)
 * print('Pillow best %.1f ms' % (min(ts) * 1000))"
 * </pre>
 * then run this class with the test class path (and {@code --add-modules jdk.incubator.vector}) and the
 * file names as arguments. It prints the best and median of 20 decodes after 10 warm-up decodes.
 */
public final class DecodeBenchmark {
    private DecodeBenchmark() {}

    public static void main(String[] args) throws Exception {
        for (String name : args) {
            byte[] data = Files.readAllBytes(Path.of(name));
            for (int i = 0; i < 10; i++) ImageLoader.load(data, name, ImageLoadOptions.defaults());
            long[] ns = new long[20];
            RgbImage img = null;
            for (int i = 0; i < ns.length; i++) {
                long t = System.nanoTime();
                img = ImageLoader.load(data, name, ImageLoadOptions.defaults());
                ns[i] = System.nanoTime() - t;
            }
            Arrays.sort(ns);
            System.out.printf("%s %dx%d: best %.1f ms, median %.1f ms%n", name, img.width(), img.height(),
                    ns[0] / 1e6, ns[ns.length / 2] / 1e6);
        }
    }
}
