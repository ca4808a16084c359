package org.tessera.app.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.internvit.InternVit;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.model.internvit.InternVitWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench vit}: times the InternViT forward pass on random weights of real shapes (InternViT-300M by
 * default, bf16 unless {@code --dtype}) and prints one JSON line: {@code seconds_per_tile} (best repetition / tiles),
 * {@code seconds} per batch, the work in GFLOP (the patch embedding, the projections and attention's two products,
 * 2 flops per multiply-add) and the rate. For one 448 px tile of the 300M shapes the work is 723.6 GFLOP (722 without
 * the patch embedding), so the rate says how close the whole forward pass comes to the matrix kernels' own speed
 * ({@code bench gemm}, bench/model_targets.py).
 */
@Command(name = "vit", mixinStandardHelpOptions = true,
        description = "Time the InternViT forward pass on random weights; prints one JSON line (seconds_per_tile, gflop, gflops).")
public final class BenchVitCommand implements Callable<Integer> {
    @Option(names = "--tiles", description = "tiles per batch (default: ${DEFAULT-VALUE})")
    int tiles = 1;
    @Option(names = "--size", description = "tile size in px (default: ${DEFAULT-VALUE})")
    int size = 448;
    @Option(names = "--hidden", description = "hidden size (default: ${DEFAULT-VALUE})")
    int hidden = 1024;
    @Option(names = "--intermediate", description = "MLP size (default: ${DEFAULT-VALUE})")
    int inter = 4096;
    @Option(names = "--heads", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads = 16;
    @Option(names = "--layers", description = "encoder layers (default: ${DEFAULT-VALUE})")
    int layers = 24;
    @Option(names = "--form", description = "300m (LayerNorm, qkv bias) or 6b (RMSNorm, q/k norm) (default: ${DEFAULT-VALUE})")
    String form = "300m";
    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;
    @Option(names = "--reps", description = "timed repetitions (default: ${DEFAULT-VALUE})")
    int reps = 3;
    @Option(names = "--dtype", description = "weight storage: f32, bf16, f16, q8 (Q8_0) (default: ${DEFAULT-VALUE})")
    String dtype = "bf16";
    @Option(names = "--backend", description = "GEMM backend: java, native (OpenBLAS via FFM), auto (default: -Dtessera.backend, else java)")
    String backend;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        if (backend != null) Gemm.setBackend(Gemm.Backend.parse(backend));
        WeightMatrix.Format format = RandomWeights.parseDtype(dtype);
        boolean b6 = form.equalsIgnoreCase("6b");
        int patch = 14;
        InternVitConfig cfg = new InternVitConfig(hidden, inter, layers, heads, patch, size, 3, !b6, b6,
                b6 ? InternVitConfig.NormType.RMS_NORM : InternVitConfig.NormType.LAYER_NORM, 1e-6);
        RandomWeights r = new RandomWeights(1, format);
        int g = size / patch, c = hidden;
        List<InternVitWeights.Layer> ls = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ls.add(new InternVitWeights.Layer(r.vector(c, 1, 0.1f), b6 ? null : r.vector(c, 0, 0.1f), r.matrix(3 * c, c),
                    b6 ? null : r.vector(3 * c, 0, 0.1f), b6 ? r.vector(c, 1, 0.1f) : null, b6 ? r.vector(c, 1, 0.1f) : null,
                    r.matrix(c, c), r.vector(c, 0, 0.1f), r.vector(c, 0.5f, 0.4f), r.vector(c, 1, 0.1f),
                    b6 ? null : r.vector(c, 0, 0.1f), r.matrix(inter, c), r.vector(inter, 0, 0.1f), r.matrix(c, inter),
                    r.vector(c, 0, 0.1f), r.vector(c, 0.5f, 0.4f)));
        }
        InternVitWeights w = new InternVitWeights(r.vector(c, 0, 0.5f), r.matrix(c, 3 * patch * patch), r.vector(c, 0, 0.1f),
                r.vector((1 + g * g) * c, 0, 0.5f), ls);
        InternVit vit = new InternVit(cfg, w);
        float[] px = new RandomWeights(2).vector(tiles * 3 * size * size, 0, 1.5f);

        vit.forward(px, tiles, size); // warm-up (JIT, buffers)
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            vit.forward(px, tiles, size);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        double best = t[0], median = t[reps / 2];
        long seq = 1 + (long) g * g;
        double proj = 2.0 * tiles * seq * ((double) 3 * c * c + (double) c * c + 2.0 * c * inter) * layers;
        double attn = 2.0 * 2 * tiles * seq * seq * c * layers;
        double patchFlops = 2.0 * tiles * g * g * c * 3 * patch * patch;
        double gflop = (proj + attn + patchFlops) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"vit\",\"form\":\"%s\",\"dtype\":\"%s\",\"tiles\":%d,\"size\":%d,\"hidden\":%d,\"layers\":%d,"
                        + "\"threads\":%d,\"reps\":%d,\"seconds_per_tile\":%.4f,\"seconds\":%.4f,\"seconds_median\":%.4f,"
                        + "\"gflop\":%.1f,\"gflops\":%.1f,\"backend\":\"%s\"}",
                b6 ? "6b" : "300m", RandomWeights.name(format), tiles, size, hidden, layers, Parallel.threads(), reps, best / tiles,
                best, median, gflop, gflop / best, Gemm.backend().name().toLowerCase(Locale.ROOT)));
        return 0;
    }
}
