package org.tessera.vision.resample;

import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides when {@link PillowResize} may use {@link VectorKernels}.
 *
 * <p>Until C2 compiles them, Vector API operations run in the interpreter or C1 as real objects and calls, hundreds
 * of times slower than plain integer code: in a fresh JVM the first 4K resize took about 1.5 s with the vector
 * kernels against about 0.3 s with the scalar ones (Pillow: 0.1 s). So resizes start on the scalar kernels while a
 * daemon thread runs both kernel sets on a small strip, and switches to the vector kernels once they beat the scalar
 * ones there, which they only do once compiled. Both give identical bytes, so the switch changes speed only. Where C2
 * never compiles them (-Xint, -XX:TieredStopAtLevel below 4) the switch never happens.
 *
 * <p>{@code -Dtessera.resample.kernels=vector} or {@code =scalar} fixes the choice (benchmarks of one kernel set);
 * the default is {@code auto}.
 */
final class KernelWarmup {
    private static final String MODE = System.getProperty("tessera.resample.kernels", "auto");
    private static final boolean TRACE = Boolean.getBoolean("tessera.resample.traceWarmup");
    /** Give up (stay scalar) if the vector kernels are still slower after this long: C2 is evidently not coming. */
    private static final long GIVE_UP_NANOS = 60_000_000_000L;

    private static volatile boolean ready = VectorKernels.SUPPORTED && MODE.equals("vector");
    private static final AtomicBoolean started = new AtomicBoolean(!MODE.equals("auto") || !VectorKernels.SUPPORTED);

    private KernelWarmup() {}

    /** True once the vector kernels are the faster choice; the first call starts the warm-up. */
    static boolean vectorReady() {
        if (ready) return true;
        if (started.compareAndSet(false, true)) {
            Thread t = new Thread(KernelWarmup::run, "tessera-resample-warmup");
            t.setDaemon(true);
            t.start();
        }
        return false;
    }

    /** Whether resizes currently run on the vector kernels (benchmarks report it). */
    static boolean vectorActive() {
        return ready;
    }

    /**
     * Runs both kernel sets on a tiny problem until the vector ones are clearly the faster. C2 compiles a method
     * once it has been called some hundreds of times with enough loop iterations in all, so tiny calls reach that
     * point for the least interpreted work (about 0.1-0.3 s of one core) and the foreground's own calls then run
     * the compiled code from their first invocation.
     */
    private static void run() {
        int inW = 24;
        int outW = 8;
        int strip = VectorKernels.STRIP;
        PillowResize.Kernel kx = PillowResize.Kernel.of(inW, outW, Filter.BICUBIC);
        PillowResize.Kernel ky = PillowResize.Kernel.of(3 * strip, strip, Filter.BICUBIC);
        byte[] src = new byte[inW * 3 * strip];
        new Random(1).nextBytes(src);
        byte[] mid = new byte[outW * 3 * strip];
        byte[] row = new byte[outW * 3];
        byte[][] scratch = VectorKernels.stripScratch(inW, outW);
        int n = Math.min(ky.count[strip / 2], strip);
        int[] offs = new int[n];
        for (int t = 0; t < n; t++) offs[t] = t * outW * 3;
        long begin = System.nanoTime();
        long bestScalar = Long.MAX_VALUE;
        int rounds = 0;
        while (System.nanoTime() - begin < GIVE_UP_NANOS) {
            long bestVector = Long.MAX_VALUE;
            for (int i = 0; i < 50; i++) {
                long t0 = System.nanoTime();
                VectorKernels.horizontalStrip(src, inW * 3, 0, mid, outW * 3, 0, kx, scratch);
                int done = VectorKernels.vertical(mid, offs, n, ky.weights, 0, row, 0, outW * 3);
                PillowResize.verticalScalar(mid, offs, n, ky.weights, 0, row, 0, done, outW * 3);
                bestVector = Math.min(bestVector, System.nanoTime() - t0);
            }
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < strip; r++) {
                    PillowResize.horizontalRow(src, r * inW * 3, mid, r * outW * 3, kx);
                }
                PillowResize.verticalScalar(mid, offs, n, ky.weights, 0, row, 0, 0, outW * 3);
                bestScalar = Math.min(bestScalar, System.nanoTime() - t0);
            }
            rounds++;
            if (TRACE) {
                System.err.printf("resample warm-up %5d ms, round %4d: vector %8.2f us, scalar %6.2f us%n",
                        (System.nanoTime() - begin) / 1_000_000, rounds, bestVector / 1e3, bestScalar / 1e3);
            }
            // Compiled, the vector kernels are several times faster here; before that, tens of times slower.
            if (2 * bestVector < bestScalar) {
                ready = true;
                return;
            }
        }
    }
}
