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
 * {@code tessera bench decode}: times one-token decoding (and, once, the prompt's prefill) on random weights of real
 * shapes (Qwen2-0.5B with InternVL2-1B's untied head by default, see {@link RandomQwen2}) and prints one JSON line.
 * Decoding streams every weight matrix once per token, so {@code weight_bytes} (the bytes of weights read per token:
 * every projection and the head; not the embedding table, of which one row is read) divided by the read bandwidth
 * of the machine is the time a token cannot beat. The decode rate is the best of {@code --rounds} rounds of
 * {@code --tokens} tokens, each round continuing from the same {@code --prompt}-token context.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Time Qwen2 decoding on random weights (Qwen2-0.5B shapes, untied head); prints one JSON line "
                + "with tokens_per_second and weight_bytes (bytes of weights read per token).")
public final class BenchDecodeCommand implements Callable<Integer> {
    @Mixin
    RandomQwen2 shape = new RandomQwen2();
    @Option(names = "--prompt", description = "context tokens before decoding (default: ${DEFAULT-VALUE})")
    int prompt = 512;
    @Option(names = "--tokens", description = "decoded tokens per timed round (default: ${DEFAULT-VALUE})")
    int tokens = 32;
    @Option(names = "--rounds", description = "timed rounds; the best is reported (default: ${DEFAULT-VALUE})")
    int rounds = 3;
    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;
    @Option(names = "--backend", description = "GEMM backend for the prompt's prefill: java, native (default: -Dtessera.backend, else java); "
            + "decoding itself always runs the Java matrix-vector kernels")
    String backend;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        if (backend != null) Gemm.setBackend(Gemm.Backend.parse(backend));
        Qwen2Model llm = shape.build();
        long bytes = llm.decodeWeightBytes();
        int vocab = shape.vocab;

        float[] emb = prompt > 0 ? llm.embed(shape.prompt(prompt)) : null;
        KVCache warm = llm.newCache(prompt + tokens);
        if (prompt > 0) llm.prefill(emb, prompt, warm); // warm-up (JIT)
        for (int i = 0; i < Math.min(tokens, 16); i++) llm.decode(i, warm);

        KVCache cache = llm.newCache(prompt + tokens);
        double prefillSeconds = 0;
        if (prompt > 0) {
            long t0 = System.nanoTime();
            llm.prefill(emb, prompt, cache);
            prefillSeconds = (System.nanoTime() - t0) / 1e9;
        }
        double[] perToken = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            cache.truncate(prompt);
            long t1 = System.nanoTime();
            for (int i = 0; i < tokens; i++) llm.decode((int) ((i * 31L + r) % vocab), cache);
            perToken[r] = (System.nanoTime() - t1) / 1e9 / tokens;
        }
        double[] sorted = perToken.clone();
        Arrays.sort(sorted);
        double best = sorted[0], median = sorted[rounds / 2];
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"decode\",\"dtype\":\"%s\",\"layers\":%d,\"hidden\":%d,\"vocab\":%d,\"threads\":%d,\"prompt\":%d,"
                        + "\"tokens\":%d,\"rounds\":%d,\"tokens_per_second\":%.2f,\"tokens_per_second_median\":%.2f,"
                        + "\"decode_ms_per_token\":%.3f,\"weight_bytes\":%d,\"weight_bytes_per_token\":%d,\"weight_gbps\":%.2f,"
                        + "\"prefill_seconds\":%.4f,\"prefill_tokens_per_s\":%.1f,\"huge_page_bytes\":%d}",
                RandomWeights.name(shape.format()), shape.layers, shape.hidden, vocab, Parallel.threads(), prompt, tokens, rounds,
                1 / best, 1 / median, best * 1e3, bytes, bytes, bytes / best / 1e9,
                prefillSeconds, prompt > 0 ? prompt / prefillSeconds : 0.0, ProcStatus.hugeBytes()));
        return 0;
    }
}
