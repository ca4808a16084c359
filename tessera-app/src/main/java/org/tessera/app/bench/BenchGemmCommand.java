package org.tessera.app.bench;

import java.util.concurrent.Callable;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.Gemm;
import org.tessera.core.kernels.bench.GemmBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera bench gemm --m M --k K --n N --dtype f32|bf16|f16|int8 [--threads T] [--backend java|native|auto]}: times
 * {@code out[m, n] = a[m, k] · W[n, k]ᵀ} and prints one JSON line with {@code gflops} (best repetition),
 * {@code gflops_median}, and {@code weight_gbps} (bytes of W as stored / time; the figure for m = 1).
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Time the matrix multiply out[m,n] = a[m,k]·W[n,k]^T; prints one JSON line (gflops, weight_gbps).")
public final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--m", description = "rows of a (tokens); 1 = matrix-vector (default: ${DEFAULT-VALUE})")
    int m = 1025;

    @Option(names = "--k", description = "inner dimension, in_features (default: ${DEFAULT-VALUE})")
    int k = 1024;

    @Option(names = "--n", description = "out_features (default: ${DEFAULT-VALUE})")
    int n = 4096;

    @Option(names = "--dtype", description = "weight storage: f32, bf16, f16, int8 (Q8_0) (default: ${DEFAULT-VALUE})")
    String dtype = "f32";

    @Option(names = "--threads", description = "worker threads (default: the pool's size)")
    Integer threads;

    @Option(names = "--reps", description = "timed repetitions, at least (default: ${DEFAULT-VALUE})")
    int reps = 5;

    @Option(names = "--warmup", description = "warm-up seconds (default: ${DEFAULT-VALUE})")
    double warmup = 1.0;

    @Option(names = "--min-seconds", description = "keep repeating until this much time is timed (default: ${DEFAULT-VALUE})")
    double minSeconds = 1.0;

    @Option(names = "--backend", description = "GEMM backend: java (tessera's kernels), native (OpenBLAS via FFM), auto "
            + "(default: -Dtessera.backend, else java)")
    String backend;

    @Option(names = "--serve", description = "read one option line per request from stdin, answer each with a JSON line (for scripts that alternate with another benchmark)")
    boolean serve;

    @Override
    public Integer call() throws java.io.IOException {
        if (backend != null) Gemm.setBackend(Gemm.Backend.parse(backend));
        if (serve) {
            GemmBenchmark.serve(new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)), System.out);
            return 0;
        }
        int t = threads == null ? Parallel.threads() : threads;
        GemmBenchmark.Result r = GemmBenchmark.run(m, k, n, GemmBenchmark.parseDtype(dtype), t, reps, warmup, minSeconds);
        System.out.println(r.toJson());
        return 0;
    }
}
