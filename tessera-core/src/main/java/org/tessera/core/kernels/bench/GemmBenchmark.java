package org.tessera.core.kernels.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tessera.core.DType;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.WeightMatrix;

/**
 * Times {@link Gemm#matmul} on random data: {@code out[m, n] = a[m, k] · W[n, k]ᵀ} with W stored as f32, bf16, f16
 * or int8 (Q8_0). Called by {@code tessera bench gemm}; also runnable on its own (see {@link #main}) so scripts can
 * use it straight from the build output.
 *
 * <p>Reported: GFLOP/s = 2·m·n·k / time, and the weight read rate = bytes of W as stored / time (the figure that
 * matters for m = 1, where every weight is read once and the product is memory-bound). "best" is the fastest
 * repetition — on a shared machine the least disturbed one, so the best estimate of what the kernel can do —
 * and "median" is reported beside it to show the noise.
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    /** One benchmark's outcome. Times in seconds. */
    public record Result(int m, int k, int n, String dtype, int threads, int reps,
                         double bestSeconds, double medianSeconds, long weightBytes, String backend) {
        public double flops() { return 2.0 * m * (double) n * k; }
        public double gflops() { return flops() / bestSeconds / 1e9; }
        public double gflopsMedian() { return flops() / medianSeconds / 1e9; }
        /** Weight bytes (as stored) per second of the best repetition, in GB/s (10⁹ bytes). */
        public double weightGBps() { return weightBytes / bestSeconds / 1e9; }
        public double weightGBpsMedian() { return weightBytes / medianSeconds / 1e9; }

        /** One JSON object on one line. */
        public String toJson() {
            return String.format(Locale.ROOT,
                    "{\"bench\":\"gemm\",\"m\":%d,\"k\":%d,\"n\":%d,\"dtype\":\"%s\",\"threads\":%d,\"reps\":%d,"
                            + "\"gflops\":%.2f,\"gflops_median\":%.2f,\"seconds_best\":%.6f,\"seconds_median\":%.6f,"
                            + "\"weight_bytes\":%d,\"weight_gbps\":%.2f,\"weight_gbps_median\":%.2f,\"backend\":\"%s\"}",
                    m, k, n, dtype, threads, reps, gflops(), gflopsMedian(), bestSeconds, medianSeconds,
                    weightBytes, weightGBps(), weightGBpsMedian(), backend);
        }
    }

    /** Parses "f32", "bf16", "f16", "int8"/"q8_0" (any case). */
    public static WeightMatrix.Format parseDtype(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> WeightMatrix.Format.F32;
            case "bf16", "bfloat16" -> WeightMatrix.Format.BF16;
            case "f16", "fp16", "float16" -> WeightMatrix.Format.F16;
            case "int8", "q8", "q8_0" -> WeightMatrix.Format.Q8_0;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (f32, bf16, f16, int8)");
        };
    }

    /**
     * Runs the benchmark: sets {@link Parallel#setThreads} to {@code threads}, warms up for about
     * {@code warmupSeconds}, then times {@code reps} calls (at least one, and more while under
     * {@code minSeconds} in total) and keeps the best and the median.
     */
    public static Result run(int m, int k, int n, WeightMatrix.Format format, int threads, int reps, double warmupSeconds, double minSeconds) {
        try (Operands ops = Operands.random(m, k, n, format)) {
            return measure(ops, threads, reps, warmupSeconds, minSeconds);
        }
    }

    /** Random a, W (in its own shared arena) and an out buffer for one shape and dtype. */
    record Operands(int m, int k, int n, WeightMatrix.Format format, Arena arena, WeightMatrix w, float[] a, float[] out)
            implements AutoCloseable {
        static Operands random(int m, int k, int n, WeightMatrix.Format format) {
            if (m < 1 || k < 1 || n < 1) throw new IllegalArgumentException("m, k, n must be >= 1");
            if ((long) m * k > Integer.MAX_VALUE || (long) m * n > Integer.MAX_VALUE) throw new IllegalArgumentException("m·k and m·n must fit an int array");
            Arena arena = Arena.ofShared();
            WeightMatrix w = randomWeights(arena, n, k, format, 42);
            SplittableRandom r = new SplittableRandom(7);
            float[] a = new float[m * k];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
            return new Operands(m, k, n, format, arena, w, a, new float[m * n]);
        }

        boolean matches(int m, int k, int n, WeightMatrix.Format format) {
            return this.m == m && this.k == k && this.n == n && this.format == format;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    static Result measure(Operands ops, int threads, int reps, double warmupSeconds, double minSeconds) {
        int m = ops.m();
        WeightMatrix w = ops.w();
        float[] a = ops.a(), out = ops.out();
        Parallel.setThreads(threads);
        warmUp(() -> Gemm.matmul(a, m, w, null, out), warmupSeconds);
        double[] times = new double[Math.max(1, reps) * 64];
        int count = 0;
        double total = 0;
        while (count < times.length && (count < Math.max(1, reps) || total < minSeconds)) {
            long t0 = System.nanoTime();
            Gemm.matmul(a, m, w, null, out);
            double dt = (System.nanoTime() - t0) * 1e-9;
            times[count++] = dt;
            total += dt;
        }
        double[] t = Arrays.copyOf(times, count);
        Arrays.sort(t);
        return new Result(m, ops.k(), ops.n(), name(ops.format()), threads, count, t[0], t[count / 2], w.storedBytes(),
                Gemm.backend().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Calls {@code body} for at least {@code minSeconds}, and then until the fastest call has not improved by 5 %
     * for 0.5 s (and at least two calls): the Vector API is 100× slower in the interpreter and C1 than once C2 has
     * compiled it, and C2 may get there only seconds in (after an OSR compile, a deoptimisation, a recompile), so a
     * fixed warm-up time would sometimes time the slow tiers. Gives up waiting after 60 s.
     */
    static void warmUp(Runnable body, double minSeconds) {
        long start = System.nanoTime(), lastImprovement = start;
        double best = Double.POSITIVE_INFINITY;
        while (true) {
            long t0 = System.nanoTime();
            body.run();
            long t1 = System.nanoTime();
            double dt = (t1 - t0) * 1e-9;
            if (dt < best * 0.95) {
                best = dt;
                lastImprovement = t1;
            }
            double sinceStart = (t1 - start) * 1e-9, sinceImprovement = (t1 - lastImprovement) * 1e-9;
            if (sinceStart >= minSeconds && sinceImprovement >= Math.max(0.5, 2 * best)) return;
            if (sinceStart > 60) return;
        }
    }

    /** {@link #run(int, int, int, WeightMatrix.Format, int, int, double, double)} with defaults: 5 reps, 1 s warm-up, 1 s minimum. */
    public static Result run(int m, int k, int n, DType dtype, int threads) {
        return run(m, k, n, WeightMatrix.Format.of(dtype), threads, 5, 1.0, 1.0);
    }

    static String name(WeightMatrix.Format f) {
        return switch (f) {
            case F32 -> "f32";
            case BF16 -> "bf16";
            case F16 -> "f16";
            case Q8_0 -> "int8";
        };
    }

    /**
     * Uniform(−1/√k, 1/√k) weights in native memory of the given format (Q8_0 quantised from f32). Filled in
     * parallel because the matrix-vector benchmark uses hundreds of MB.
     */
    static WeightMatrix randomWeights(Arena arena, int n, int k, WeightMatrix.Format format, long seed) {
        double scale = 1.0 / Math.sqrt(k);
        WeightMatrix.Format stored = format == WeightMatrix.Format.Q8_0 ? WeightMatrix.Format.F32 : format;
        int elem = stored == WeightMatrix.Format.F32 ? 4 : 2;
        MemorySegment seg = arena.allocate((long) n * k * elem, 64);
        Parallel.forBlocks(n, (j0, j1) -> {
            SplittableRandom r = new SplittableRandom(seed + j0);
            for (long i = (long) j0 * k; i < (long) j1 * k; i++) {
                float v = (float) ((r.nextDouble() * 2 - 1) * scale);
                switch (stored) {
                    case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
                    case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, WeightMatrix.floatToBf16(v));
                    case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(v));
                    default -> throw new AssertionError();
                }
            }
        });
        DType dt = switch (stored) {
            case F32 -> DType.F32;
            case BF16 -> DType.BF16;
            case F16 -> DType.F16;
            default -> throw new AssertionError();
        };
        WeightMatrix w = WeightMatrix.of(seg, dt, n, k);
        return format == WeightMatrix.Format.Q8_0 ? w.quantizeQ8(arena) : w;
    }

    /**
     * {@code --m M --k K --n N --dtype f32|bf16|f16|int8 [--threads T] [--reps R] [--warmup S] [--min-seconds S]
     * [--backend java|native|auto]};
     * prints {@link Result#toJson()}. {@code --serve} instead reads one such option line per request from standard
     * input and answers each with a JSON line, so a script can alternate short measurements with another
     * program's in one warm JVM (see bench/gemm_vs_openblas.py).
     */
    public static void main(String[] args) throws java.io.IOException {
        if (args.length == 1 && args[0].equals("--serve")) {
            serve(new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)), System.out);
            return;
        }
        System.out.println(runArgs(args).toJson());
    }

    /**
     * Answers each non-blank line of options (as for {@link #main}) with a JSON line, or {"error": ...}. The operands
     * of the last few shapes are kept, so alternating requests do not regenerate hundreds of MB of weights.
     */
    public static void serve(java.io.BufferedReader in, java.io.PrintStream out) throws java.io.IOException {
        java.util.ArrayDeque<Operands> cache = new java.util.ArrayDeque<>();
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                try {
                    out.println(runArgs(line.trim().split("\\s+"), cache).toJson());
                } catch (RuntimeException e) {
                    out.println("{\"error\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}");
                }
                out.flush();
            }
        } finally {
            cache.forEach(Operands::close);
        }
    }

    static Result runArgs(String[] args) {
        java.util.ArrayDeque<Operands> none = new java.util.ArrayDeque<>();
        try {
            return runArgs(args, none);
        } finally {
            none.forEach(Operands::close);
        }
    }

    /** Parses options and measures, reusing (and adding to, at most 3 kept) the operands in {@code cache}. */
    static Result runArgs(String[] args, java.util.ArrayDeque<Operands> cache) {
        int m = 1025, k = 1024, n = 4096, threads = Parallel.threads(), reps = 5;
        double warmup = 1.0, minSeconds = 1.0;
        WeightMatrix.Format format = WeightMatrix.Format.F32;
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + opt);
            String v = args[++i];
            switch (opt) {
                case "--m" -> m = Integer.parseInt(v);
                case "--k" -> k = Integer.parseInt(v);
                case "--n" -> n = Integer.parseInt(v);
                case "--dtype" -> format = parseDtype(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--min-seconds" -> minSeconds = Double.parseDouble(v);
                case "--backend" -> Gemm.setBackend(Gemm.Backend.parse(v)); // stays for later requests of --serve
                default -> throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        final int fm = m, fk = k, fn = n;
        final WeightMatrix.Format ff = format;
        Operands ops = cache.stream().filter(o -> o.matches(fm, fk, fn, ff)).findFirst().orElse(null);
        if (ops == null) {
            while (cache.size() >= 3) cache.removeLast().close();
            ops = Operands.random(m, k, n, format);
            cache.addFirst(ops);
        }
        return measure(ops, threads, reps, warmup, minSeconds);
    }
}
