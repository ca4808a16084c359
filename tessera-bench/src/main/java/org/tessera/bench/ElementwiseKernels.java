package org.tessera.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.tessera.core.kernels.Activations;
import org.tessera.core.kernels.Norms;
import org.tessera.core.kernels.Rope;
import org.tessera.core.kernels.Softmax;

/**
 * The per-token kernels between the matrix products, at the shapes of one 448 px InternViT tile (1025 tokens of
 * 1024 channels, MLP width 4096) and of a Qwen2-0.5B prefill chunk (512 tokens, 896 channels, 14 heads of 64).
 * Each reports microseconds per call; compare with a GEMM of the same layer (`tessera bench gemm`) to see what
 * share of a layer they cost. Run: {@code java --add-modules jdk.incubator.vector -jar tessera-bench/target/benchmarks.jar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseKernels {
    private float[] x;
    private float[] out;
    private float[] gamma;
    private float[] beta;
    private float[] mlp;
    private float[] mlpOut;
    private float[] scores;
    private float[] q;
    private Rope rope;

    private static final int TOKENS = 1025;
    private static final int DIM = 1024;
    private static final int MLP = 4096;
    private static final int LLM_TOKENS = 512;
    private static final int HEADS = 14;
    private static final int HEAD_DIM = 64;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        x = fill(r, TOKENS * DIM);
        out = new float[TOKENS * DIM];
        gamma = fill(r, DIM);
        beta = fill(r, DIM);
        mlp = fill(r, TOKENS * MLP);
        mlpOut = new float[TOKENS * MLP];
        scores = fill(r, 16 * 1025);
        q = fill(r, LLM_TOKENS * HEADS * HEAD_DIM);
        rope = new Rope(HEAD_DIM, 1_000_000.0, 4096);
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Benchmark
    public void layerNormVitTile(Blackhole bh) {
        Norms.layerNorm(x, out, TOKENS, DIM, gamma, beta, 1e-6f);
        bh.consume(out);
    }

    @Benchmark
    public void rmsNormVitTile(Blackhole bh) {
        Norms.rmsNorm(x, out, TOKENS, DIM, gamma, 1e-6f);
        bh.consume(out);
    }

    @Benchmark
    public void geluVitMlp(Blackhole bh) {
        Activations.gelu(mlp, 0, mlpOut, 0, mlp.length);
        bh.consume(mlpOut);
    }

    @Benchmark
    public void siluMulVitMlp(Blackhole bh) {
        Activations.siluMul(mlp, 0, mlp, 0, mlpOut, 0, mlp.length);
        bh.consume(mlpOut);
    }

    @Benchmark
    public void softmax16Rows(Blackhole bh) {
        Softmax.softmaxRows(scores, 16, 1025);
        bh.consume(scores);
    }

    @Benchmark
    public void ropeQwenPrefillChunk(Blackhole bh) {
        rope.applyTokens(q, LLM_TOKENS, HEADS, 0);
        bh.consume(q);
    }
}
