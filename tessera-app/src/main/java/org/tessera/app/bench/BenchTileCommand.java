package org.tessera.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.tessera.app.ImageInputOptions;
import org.tessera.app.TilingCliOptions;
import org.tessera.core.Parallel;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TilePlan;
import org.tessera.vision.tiling.TilingStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tessera bench tile}: the whole image pipeline (decode, resize and crop, normalise) timed over repeated
 * runs after warm-up; the median of each part and of the total.
 */
@Command(name = "tile", mixinStandardHelpOptions = true,
        description = "Time decoding, resizing/cropping and normalising an image's tiles; prints one JSON line with "
                + "`seconds` (median total) and the median of each part. bench/tile_vs_pillow.py compares with Pillow + NumPy.")
public final class BenchTileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "Image to tile.")
    Path image;

    @Mixin
    TilingCliOptions tiling;

    @Mixin
    ImageInputOptions input;

    @Option(names = "--repeat", paramLabel = "N", description = "Timed runs (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int repeat = 10;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed runs first, so the JIT has compiled the hot code (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int warmup = 5;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all processors).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (repeat < 1 || warmup < 0) throw new IllegalArgumentException("--repeat must be >= 1 and --warmup >= 0");
        if (threads != null) Parallel.setThreads(threads);
        TilingStrategy strategy = tiling.create(tiling.strategy);
        double[] decode = new double[repeat];
        double[] crop = new double[repeat];
        double[] norm = new double[repeat];
        double[] total = new double[repeat];
        int tiles = 0;
        for (int i = -warmup; i < repeat; i++) {
            long t0 = System.nanoTime();
            RgbImage img = ImageLoader.load(image, input.toLoadOptions());
            long t1 = System.nanoTime();
            TilePlan plan = strategy.plan(img.width(), img.height());
            List<RgbImage> crops = strategy.crops(img, plan);
            long t2 = System.nanoTime();
            TileBatch batch = TilingStrategy.normalize(crops, plan.tileSize(), plan.normalization());
            long t3 = System.nanoTime();
            tiles = batch.count();
            if (i >= 0) {
                decode[i] = (t1 - t0) / 1e9;
                crop[i] = (t2 - t1) / 1e9;
                norm[i] = (t3 - t2) / 1e9;
                total[i] = (t3 - t0) / 1e9;
            }
        }
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("bench", "tile");
        o.put("image", image.toString());
        o.put("strategy", strategy.name());
        o.put("tiles", tiles);
        o.put("threads", Parallel.threads());
        o.put("repeat", repeat);
        o.put("seconds", median(total));
        o.put("decode_seconds", median(decode));
        o.put("resize_crop_seconds", median(crop));
        o.put("normalize_seconds", median(norm));
        System.out.println(new ObjectMapper().writeValueAsString(o));
        return 0;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
