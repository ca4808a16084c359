package org.tessera.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The team behind Parallel: every index exactly once, errors reach the caller, nested and concurrent calls. */
class ParallelTest {

    @Test
    void everyIndexRunsOnce() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3, 5}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {1, 2, 3, 7, 1000}) {
                    for (int rep = 0; rep < 50; rep++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        Parallel.forRange(n, hits::incrementAndGet);
                        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "forRange n=" + n + " threads=" + threads);
                        AtomicIntegerArray blocks = new AtomicIntegerArray(n);
                        Parallel.forBlocks(n, (s, e) -> {
                            for (int i = s; i < e; i++) blocks.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, blocks.get(i), "forBlocks n=" + n + " threads=" + threads);
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void anExceptionReachesTheCallerAndTheTeamStaysUsable() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(3);
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException got = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, i -> {
                if (i == 7) throw boom;
            }));
            assertSame(boom, got);
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            Parallel.forRange(10, hits::incrementAndGet);
            for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void nestedCallsRunInline() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            Parallel.forRange(8, i -> Parallel.forBlocks(8, (s, e) -> {
                for (int j = s; j < e; j++) hits.incrementAndGet(i * 8 + j);
            }));
            for (int i = 0; i < 64; i++) assertEquals(1, hits.get(i));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void concurrentCallersEachGetTheirWorkDone() throws Exception {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            int callers = 4, n = 200;
            AtomicIntegerArray[] hits = new AtomicIntegerArray[callers];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] ts = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                AtomicIntegerArray h = hits[c] = new AtomicIntegerArray(n);
                ts[c] = new Thread(() -> {
                    try {
                        start.await();
                        for (int rep = 0; rep < 200; rep++) Parallel.forRange(n, i -> h.incrementAndGet(i));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                ts[c].start();
            }
            start.countDown();
            for (Thread t : ts) t.join(60_000);
            if (failure.get() != null) throw new AssertionError(failure.get());
            for (AtomicIntegerArray h : hits) for (int i = 0; i < n; i++) assertEquals(200, h.get(i));
        } finally {
            Parallel.setThreads(before);
        }
    }
}
