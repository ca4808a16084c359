package org.tessera.core;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The one fixed pool that every parallel kernel in tessera runs on. Its size is the number of
 * available processors unless {@code TESSERA_THREADS} or {@code -Dtessera.threads} says otherwise,
 * so a user (or a benchmark's {@code --threads}) controls all parallelism in one place.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    static int defaultThreads() {
        String v = System.getProperty("tessera.threads", System.getenv("TESSERA_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
            throw new IllegalArgumentException("TESSERA_THREADS / tessera.threads must be a positive integer, got '" + v + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("tessera-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** True on one of the pool's own workers, where nested parallel work runs inline instead of deadlocking. */
    private static boolean insidePool(ForkJoinPool p) {
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == p;
    }

    /** Number of worker threads. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Replaces the pool with one of {@code n} threads (benchmarks' {@code --threads}). Not for use while work runs. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        old.shutdown();
        try {
            old.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code body(i)} for i in [0, n), split into contiguous chunks over the pool; returns when all are done.
     * Runs inline when n is 1 or the pool has one thread, so small work pays no hand-off.
     */
    public static void forRange(int n, IntConsumer body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int threads = p.getParallelism();
        if (n == 1 || threads == 1 || insidePool(p)) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        p.submit(() -> java.util.stream.IntStream.range(0, n).parallel().forEach(body)).join();
    }

    /**
     * Splits [0, n) into at most {@code threads()} contiguous blocks and runs {@code body(start, end)} for each
     * in parallel. Use when each index is cheap and per-block set-up (scratch buffers) should be shared.
     */
    public static void forBlocks(int n, BlockBody body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int blocks = Math.min(n, p.getParallelism());
        if (blocks == 1 || insidePool(p)) {
            body.run(0, n);
            return;
        }
        p.submit(() -> java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
            int start = (int) ((long) n * b / blocks);
            int end = (int) ((long) n * (b + 1) / blocks);
            if (start < end) body.run(start, end);
        })).join();
    }

    /** A body over a block [start, end). */
    @FunctionalInterface
    public interface BlockBody {
        void run(int start, int end);
    }
}
