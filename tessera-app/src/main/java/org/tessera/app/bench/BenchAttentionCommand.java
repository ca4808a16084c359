package org.tessera.app.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Attention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench attention --seq N --heads H --kv-heads K --head-dim D [--causal] [--threads T]}: times
 * {@link Attention#attention(float[], float[], float[], float[], int, int, int, int, int, float, boolean, int)} on random
 * q, k, v (self-attention: seqQ = seqK = N, q and out {@code [N][H][D]}, k and v {@code [N][K][D]}) and prints one JSON
 * line with {@code gflops} and {@code seconds} (the best repetition; median beside it).
 *
 * <p>FLOPs counted: the two products per visible (query, key) pair and head, Q·Kᵀ and P·V, each 2·D — so
 * 4·D·H·pairs, with pairs = N² bidirectional and N(N+1)/2 causal. The softmax's exponentials are not counted, so
 * the figure is comparable with a GEMM's but understates the work for small D.
 */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = "Time scaled dot-product attention (GQA, optionally causal); prints one JSON line (gflops, seconds).")
public final class BenchAttentionCommand implements Callable<Integer> {
    @Option(names = "--seq", description = "tokens (queries = keys) (default: ${DEFAULT-VALUE})")
    int seq = 1025;

    @Option(names = "--heads", description = "query heads (default: ${DEFAULT-VALUE})")
    int heads = 16;

    @Option(names = "--kv-heads", description = "key/value heads; must divide --heads (default: same as --heads)")
    Integer kvHeads;

    @Option(names = "--head-dim", description = "dimension per head (default: ${DEFAULT-VALUE})")
    int headDim = 64;

    @Option(names = "--causal", description = "causal mask (LLM prefill) instead of bidirectional (ViT)")
    boolean causal;

    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;

    @Option(names = "--reps", description = "timed repetitions, at least (default: ${DEFAULT-VALUE})")
    int reps = 5;

    @Option(names = "--warmup", description = "warm-up seconds (default: ${DEFAULT-VALUE})")
    double warmup = 1.0;

    @Override
    public Integer call() {
        int kvh = kvHeads == null ? heads : kvHeads;
        if (seq < 1 || heads < 1 || kvh < 1 || headDim < 1) throw new IllegalArgumentException("--seq, --heads, --kv-heads, --head-dim must be >= 1");
        if (heads % kvh != 0) throw new IllegalArgumentException("--heads " + heads + " is not a multiple of --kv-heads " + kvh);
        if ((long) seq * heads * headDim > Integer.MAX_VALUE) throw new IllegalArgumentException("seq·heads·head-dim must fit an int array");
        int t = threads == null ? Parallel.threads() : threads;
        Parallel.setThreads(t);

        SplittableRandom r = new SplittableRandom(5);
        float[] q = random(r, seq * heads * headDim), k = random(r, seq * kvh * headDim), v = random(r, seq * kvh * headDim);
        float[] out = new float[q.length];
        float scale = (float) (1 / Math.sqrt(headDim));
        Runnable body = () -> Attention.attention(q, k, v, out, seq, seq, heads, kvh, headDim, scale, causal, 0);

        // Warm-up: at least --warmup seconds, so C2 has compiled the Vector API loops (100× slower before that).
        long end = System.nanoTime() + (long) (warmup * 1e9);
        do body.run(); while (System.nanoTime() < end);

        int n = Math.max(1, reps);
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            body.run();
            times[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(times);
        double pairs = causal ? seq * (seq + 1.0) / 2 : (double) seq * seq;
        double flops = 4.0 * headDim * heads * pairs;
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"attention\",\"seq\":%d,\"heads\":%d,\"kv_heads\":%d,\"head_dim\":%d,\"causal\":%b,\"threads\":%d,"
                        + "\"reps\":%d,\"gflops\":%.2f,\"seconds\":%.6f,\"seconds_median\":%.6f}",
                seq, heads, kvh, headDim, causal, t, n, flops / times[0] / 1e9, times[0], times[n / 2]));
        return 0;
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
