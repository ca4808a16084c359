package org.tessera.core;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The one set of threads that every parallel kernel in tessera runs on. Its size is the number of available
 * processors unless {@code TESSERA_THREADS} or {@code -Dtessera.threads} says otherwise, so a user (or a
 * benchmark's {@code --threads}) controls all parallelism in one place.
 *
 * <p>How work is handed out. A call runs on a <em>team</em>: the calling thread plus {@code threads() − 1} worker
 * threads that, after finishing a job, spin for a short while ({@code -Dtessera.spinMicros}, 200 µs by default)
 * watching for the next one before they park. The caller publishes a job with one volatile write, takes a share of
 * it itself, and spins until the shares are done. A decode step makes ~100 parallel calls, each of a few tens of
 * µs of work, and a ForkJoinPool hand-off (submit, wake a parked worker, join) cost ~18 µs each on this 2-core VM
 * against ~1 µs for a spinning team. A second thread that calls while the team is busy (two models running at
 * once) does not wait for it: its call runs on a ForkJoinPool of the same size, as everything did before the team.
 * Calls made from inside a job (a kernel calling another) run inline on the thread that makes them.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());
    private static volatile Team team = new Team(pool.getParallelism());
    private static final long SPIN_NANOS = 1000L * Long.getLong("tessera.spinMicros", 200L);

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

    /** True on a thread already running part of a parallel call, where nested calls run inline. */
    private static boolean nested(ForkJoinPool p) {
        Thread t = Thread.currentThread();
        if (t instanceof Team.Worker) return true;
        if (team.owner == t) return true;
        return t instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == p;
    }

    /** Number of worker threads. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Replaces the threads with {@code n} of them (benchmarks' {@code --threads}). Not for use while work runs. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        Team oldTeam = team;
        pool = newPool(n);
        team = new Team(n);
        oldTeam.shutdown();
        old.shutdown();
        try {
            old.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code body(i)} for i in [0, n), the indices handed out one at a time to whichever thread is free;
     * returns when all are done. Runs inline when n is 1 or there is one thread, so small work pays no hand-off.
     */
    public static void forRange(int n, IntConsumer body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int threads = p.getParallelism();
        if (n == 1 || threads == 1 || nested(p)) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        Team t = team;
        if (t.run(n, body)) return;
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
        if (blocks == 1 || nested(p)) {
            body.run(0, n);
            return;
        }
        IntConsumer block = b -> {
            int start = (int) ((long) n * b / blocks);
            int end = (int) ((long) n * (b + 1) / blocks);
            if (start < end) body.run(start, end);
        };
        Team t = team;
        if (t.run(blocks, block)) return;
        p.submit(() -> java.util.stream.IntStream.range(0, blocks).parallel().forEach(block)).join();
    }

    /** A body over a block [start, end). */
    @FunctionalInterface
    public interface BlockBody {
        void run(int start, int end);
    }

    /** The caller plus spinning workers; see the class comment. */
    private static final class Team {
        private final Worker[] workers;
        private final ReentrantLock lock = new ReentrantLock();
        /** The thread running a job now (it runs nested calls inline), or null. */
        volatile Thread owner;
        private volatile Job job;
        private volatile boolean stopped;

        Team(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        /** Runs the job on the team and returns true, or returns false at once if another thread has the team. */
        boolean run(int items, IntConsumer body) {
            if (!lock.tryLock()) return false;
            try {
                Thread me = Thread.currentThread();
                owner = me;
                Job j = new Job(items, body);
                job = j;
                for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
                j.work();
                long waitStart = 0;
                for (int spins = 0; j.done.get() < items; spins++) {
                    Thread.onSpinWait();
                    if ((spins & 63) == 63) { // after ~50 µs: a worker was descheduled mid-item; let it run
                        long now = System.nanoTime();
                        if (waitStart == 0) waitStart = now;
                        else if (now - waitStart > 50_000) Thread.yield();
                    }
                }
                owner = null;
                Throwable e = j.error;
                if (e instanceof RuntimeException re) throw re;
                if (e instanceof Error er) throw er;
                if (e != null) throw new RuntimeException(e);
                return true;
            } finally {
                owner = null;
                lock.unlock();
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }

        static final class Job {
            final int items;
            final IntConsumer body;
            final AtomicInteger next = new AtomicInteger();
            final AtomicInteger done = new AtomicInteger();
            volatile Throwable error;

            Job(int items, IntConsumer body) {
                this.items = items;
                this.body = body;
            }

            /** Claims and runs items until none is left. */
            void work() {
                int i;
                while ((i = next.getAndIncrement()) < items) {
                    try {
                        body.accept(i);
                    } catch (Throwable e) {
                        if (error == null) error = e;
                    } finally {
                        done.incrementAndGet();
                    }
                }
            }
        }

        static final class Worker extends Thread {
            private final Team team;
            volatile boolean parked;

            Worker(Team team, int index) {
                super("tessera-team-" + index);
                this.team = team;
                setDaemon(true);
            }

            @Override
            public void run() {
                Job seen = null;
                long idleSince = System.nanoTime();
                while (!team.stopped) {
                    Job j = team.job;
                    if (j != seen && j != null) {
                        seen = j;
                        j.work();
                        idleSince = System.nanoTime();
                        continue;
                    }
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    parked = true;
                    // Re-check after announcing: a job published before the caller could see `parked` is taken here.
                    if (team.job == seen && !team.stopped) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
