package org.tessera.app.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.model.llm.KVCache;
import org.tessera.model.qwen2.Qwen2Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench prefill}: times the prefill of a {@code --tokens}-token prompt (512 by default) into an empty
 * cache on random weights of real shapes (Qwen2-0.5B with InternVL2-1B's untied head, see {@link RandomQwen2}):
 * embedding lookup, all layers over the whole prompt, and the last token's logits (as a generator needs them, and
 * as llama.cpp's pp512 computes them). Prints one JSON line with {@code tokens_per_second} (best repetition) and
 * {@code weight_bytes} (bytes of the projection matrices and head, read once per prefill chunk).
 */
@Command(name = "prefill", mixinStandardHelpOptions = true,
        description = "Time the prefill of a 512-token prompt on random weights (Qwen2-0.5B shapes, untied head); "
                + "prints one JSON line with tokens_per_second and weight_bytes.")
public final class BenchPrefillCommand implements Callable<Integer> {
    @Mixin
    RandomQwen2 shape = new RandomQwen2();
    @Option(names = "--tokens", description = "prompt tokens (default: ${DEFAULT-VALUE})")
    int tokens = 512;
    @Option(names = "--reps", description = "timed repetitions; the best is reported (default: ${DEFAULT-VALUE})")
    int reps = 3;
    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;
    @Option(names = "--backend", description = "GEMM backend: java, native (OpenBLAS via FFM), auto (default: -Dtessera.backend, else java)")
    String backend;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        if (backend != null) Gemm.setBackend(Gemm.Backend.parse(backend));
        Qwen2Model llm = shape.build();
        int[] ids = shape.prompt(tokens);
        KVCache cache = llm.newCache(tokens);
        for (int i = 0; i < 2; i++) { // warm-up (JIT, buffers)
            cache.clear();
            llm.prefill(llm.embed(ids), tokens, cache);
        }
        double[] t = new double[reps];
        for (int r = 0; r < reps; r++) {
            cache.clear();
            long t0 = System.nanoTime();
            llm.prefill(llm.embed(ids), tokens, cache);
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        double best = t[0], median = t[reps / 2];
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"prefill\",\"dtype\":\"%s\",\"layers\":%d,\"hidden\":%d,\"vocab\":%d,\"threads\":%d,\"tokens\":%d,"
                        + "\"reps\":%d,\"seconds\":%.4f,\"seconds_median\":%.4f,\"tokens_per_second\":%.1f,"
                        + "\"tokens_per_second_median\":%.1f,\"weight_bytes\":%d,\"backend\":\"%s\"}",
                RandomWeights.name(shape.format()), shape.layers, shape.hidden, shape.vocab, Parallel.threads(), tokens, reps,
                best, median, tokens / best, tokens / median, llm.decodeWeightBytes(), Gemm.backend().name().toLowerCase(Locale.ROOT)));
        return 0;
    }
}
