package org.tessera.app.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.tessera.core.Parallel;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.llm.LlmConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench memory --model DIR}: loads a checkpoint (weights memory-mapped in their stored dtype), runs
 * what a chat turn runs — the vision encoder and projector on {@code --tiles} tiles of random pixels, the prefill
 * of the prompt (the tiles' image tokens plus {@code --text} text tokens) and {@code --tokens} greedy decode
 * steps — and prints one JSON line comparing the process's peak resident memory ({@code VmHWM} of
 * /proc/self/status) with the checkpoint's size plus the KV cache's (issue 4: under 1.3 × (checkpoint + KV cache)).
 *
 * <p>Also reported: the resident memory split into file pages (the mapped weights: only the pages read count) and
 * anonymous memory (Java heap, work buffers, KV cache, JVM), the part mapped with 2 MB pages, and the Java heap's
 * limit and peak use. Random checkpoints of real shapes come from {@code tessera random-checkpoint}.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "Load a checkpoint, run vision + prefill + decode, and print one JSON line with the peak resident "
                + "memory against checkpoint bytes + KV-cache bytes.")
public final class BenchMemoryCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (e.g. from `tessera random-checkpoint`)")
    Path model;
    @Option(names = "--tiles", description = "448 px tiles through the vision encoder (default: ${DEFAULT-VALUE}: a 1000×600 image with its thumbnail)")
    int tiles = 7;
    @Option(names = "--text", description = "text tokens in the prompt after the image tokens (default: ${DEFAULT-VALUE})")
    int text = 64;
    @Option(names = "--tokens", description = "tokens decoded (default: ${DEFAULT-VALUE})")
    int tokens = 32;
    @Option(names = "--int8-llm", description = "quantise the language model's matrices to Q8_0 at load (anonymous memory, not mapped)")
    boolean int8;
    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        long ckptBytes;
        try (Stream<Path> files = Files.list(model)) {
            ckptBytes = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
        }
        long t0 = System.nanoTime();
        try (InternVLModel m = InternVLModel.load(model, int8)) {
            long tLoad = System.nanoTime();
            InternVLConfig cfg = m.config();
            int size = cfg.imageSize();
            SplittableRandom r = new SplittableRandom(1);
            float[] pixels = new float[tiles * 3 * size * size];
            for (int i = 0; i < pixels.length; i++) pixels[i] = (float) (r.nextDouble() * 4 - 2);
            int imageTokens = tiles * m.tokensPerTile();
            int[] ids = new int[imageTokens + text];
            LanguageModel lm = m.language();
            for (int i = 0; i < ids.length; i++) ids[i] = i < imageTokens ? m.imgContextTokenId() : (int) ((i * 7919L) % Math.min(lm.vocabSize(), 150000));

            float[] image = tiles > 0 ? m.project(m.visionFeatures(pixels, tiles), tiles) : new float[0];
            long tVision = System.nanoTime();
            float[] x = m.inputEmbeddings(ids, image);
            LanguageModel.Cache cache = lm.newCache(ids.length + tokens);
            float[] logits = lm.prefill(x, ids.length, cache);
            long tPrefill = System.nanoTime();
            for (int t = 0; t < tokens; t++) logits = lm.decode(argmax(logits), cache);
            long tDecode = System.nanoTime();

            LlmConfig lc = cfg.llm();
            int positions = ids.length + tokens;
            long kvBytes = 2L * lc.numLayers() * positions * lc.numKvHeads() * lc.headDim() * Float.BYTES;
            long hwm = ProcStatus.kb("status", "VmHWM"), rss = ProcStatus.kb("status", "VmRSS");
            long anon = ProcStatus.kb("status", "RssAnon"), file = ProcStatus.kb("status", "RssFile");
            long heapPeak = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) heapPeak += p.getPeakUsage().getUsed();
            }
            long heapCommitted = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
            double limit = 1.3 * (ckptBytes + kvBytes);
            System.out.println(String.format(Locale.ROOT,
                    "{\"bench\":\"memory\",\"model\":\"%s\",\"int8_llm\":%b,\"threads\":%d,\"tiles\":%d,\"prompt_tokens\":%d,"
                            + "\"decoded_tokens\":%d,\"checkpoint_bytes\":%d,\"kv_cache_bytes\":%d,\"peak_rss_bytes\":%d,"
                            + "\"ratio\":%.3f,\"limit_ratio\":1.3,\"pass\":%b,\"rss_bytes\":%d,\"rss_file_bytes\":%d,"
                            + "\"rss_anon_bytes\":%d,\"huge_page_bytes\":%d,\"heap_max_bytes\":%d,\"heap_committed_bytes\":%d,"
                            + "\"heap_peak_used_bytes\":%d,\"load_seconds\":%.2f,\"vision_seconds\":%.2f,\"prefill_seconds\":%.2f,"
                            + "\"decode_tokens_per_second\":%.2f,\"jvm_args\":\"%s\"}",
                    model.toString().replace("\\", "/").replace("\"", "'"), int8, Parallel.threads(), tiles, ids.length, tokens,
                    ckptBytes, kvBytes, hwm, hwm / (double) (ckptBytes + kvBytes), hwm <= limit, rss, file, anon,
                    ProcStatus.hugeBytes(), Runtime.getRuntime().maxMemory(), heapCommitted, heapPeak,
                    (tLoad - t0) / 1e9, (tVision - tLoad) / 1e9, (tPrefill - tVision) / 1e9, tokens / ((tDecode - tPrefill) / 1e9),
                    String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()).replace("\\", "/").replace("\"", "'")));
            return 0;
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
