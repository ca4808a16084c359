package org.tessera.app.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.llm.KVCache;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.model.qwen2.Qwen2Model;
import org.tessera.model.qwen2.Qwen2Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench decode}: times Qwen2 prefill and one-token decoding on random BF16 weights of real shapes
 * (Qwen2-0.5B with InternVL2_5-1B's vocabulary by default) and prints one JSON line. Decoding streams every weight
 * matrix once per token, so {@code weight_gbps} (bytes read per token / seconds per token) against the machine's
 * memory bandwidth says how close decoding is to its limit.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Time Qwen2 prefill and decode on random bf16 weights; prints one JSON line (ms per token, weight GB/s).")
public final class BenchDecodeCommand implements Callable<Integer> {
    @Option(names = "--hidden", description = "(default: ${DEFAULT-VALUE})")
    int hidden = 896;
    @Option(names = "--intermediate", description = "(default: ${DEFAULT-VALUE})")
    int inter = 4864;
    @Option(names = "--layers", description = "(default: ${DEFAULT-VALUE})")
    int layers = 24;
    @Option(names = "--heads", description = "(default: ${DEFAULT-VALUE})")
    int heads = 14;
    @Option(names = "--kv-heads", description = "(default: ${DEFAULT-VALUE})")
    int kvHeads = 2;
    @Option(names = "--vocab", description = "(default: ${DEFAULT-VALUE})")
    int vocab = 151674;
    @Option(names = "--prompt", description = "prompt tokens before decoding (default: ${DEFAULT-VALUE})")
    int prompt = 512;
    @Option(names = "--tokens", description = "decoded tokens timed (default: ${DEFAULT-VALUE})")
    int tokens = 32;
    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        Qwen2Config cfg = new Qwen2Config(vocab, hidden, inter, layers, heads, kvHeads, hidden / heads, 1e-6, 1e6, 32768, false);
        RandomWeights r = new RandomWeights(3);
        int q = cfg.qDim(), kv = cfg.kvDim();
        List<Qwen2Weights.Layer> ls = new ArrayList<>();
        long bytes = 0;
        for (int l = 0; l < layers; l++) {
            Qwen2Weights.Layer layer = new Qwen2Weights.Layer(r.vector(hidden, 1, 0.1f), r.matrix(q, hidden), r.vector(q, 0, 0.1f),
                    r.matrix(kv, hidden), r.vector(kv, 0, 0.1f), r.matrix(kv, hidden), r.vector(kv, 0, 0.1f), r.matrix(hidden, q),
                    r.vector(hidden, 1, 0.1f), r.matrix(inter, hidden), r.matrix(inter, hidden), r.matrix(hidden, inter));
            for (WeightMatrix m : List.of(layer.q(), layer.k(), layer.v(), layer.o(), layer.gate(), layer.up(), layer.down())) {
                bytes += m.storedBytes();
            }
            ls.add(layer);
        }
        WeightMatrix embed = r.matrix(vocab, hidden), head = r.matrix(vocab, hidden);
        bytes += head.storedBytes();
        Qwen2Model llm = new Qwen2Model(cfg, new Qwen2Weights(embed, ls, r.vector(hidden, 1, 0.1f), head, false));

        int[] ids = new int[prompt];
        for (int i = 0; i < prompt; i++) ids[i] = (i * 7919) % vocab;
        float[] emb = llm.embed(ids);
        KVCache warm = llm.newCache(prompt + tokens);
        llm.prefill(emb, prompt, warm); // warm-up (JIT)
        for (int i = 0; i < 8; i++) llm.decode(i, warm);

        KVCache cache = llm.newCache(prompt + tokens);
        long t0 = System.nanoTime();
        llm.prefill(emb, prompt, cache);
        long t1 = System.nanoTime();
        for (int i = 0; i < tokens; i++) llm.decode((i * 31) % vocab, cache);
        long t2 = System.nanoTime();
        double perToken = (t2 - t1) / 1e9 / tokens;
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"decode\",\"layers\":%d,\"hidden\":%d,\"vocab\":%d,\"threads\":%d,\"prompt\":%d,\"prefill_seconds\":%.4f,"
                        + "\"prefill_tokens_per_s\":%.1f,\"decode_ms_per_token\":%.3f,\"weight_bytes_per_token\":%d,\"weight_gbps\":%.2f}",
                layers, hidden, vocab, Parallel.threads(), prompt, (t1 - t0) / 1e9, prompt / ((t1 - t0) / 1e9), perToken * 1e3,
                bytes, bytes / perToken / 1e9));
        return 0;
    }
}
