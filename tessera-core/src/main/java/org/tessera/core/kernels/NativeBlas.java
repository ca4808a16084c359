package org.tessera.core.kernels;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.tessera.core.kernels.WeightMatrix.F32_LE;
import static org.tessera.core.kernels.WeightMatrix.I16_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tessera.core.Parallel;

/**
 * The optional native backend of {@link Gemm}: OpenBLAS's {@code cblas_sgemm} (and {@code cblas_sbgemm} where the
 * library has it) called through FFM downcalls. Selected with {@code -Dtessera.backend=native|auto} or
 * {@link Gemm#setBackend}; the pure-Java kernels stay the default.
 *
 * <p>Library. Tried in order: {@code -Dtessera.blas=PATH} (only that, when given), then {@code libopenblas.so.0} by the
 * dynamic linker's search, then the usual Debian/Ubuntu/Fedora paths. On Debian/Ubuntu it comes from
 * {@code apt-get install -y libopenblas0-pthread}. Only the LP64 interface (32-bit {@code blasint}) is bound — that is
 * what {@code libopenblas.so.0} exports; the ILP64 build names its symbols {@code cblas_sgemm64_} and is not used.
 *
 * <p>Weights. cblas_sgemm wants f32 W. An f32 {@link WeightMatrix} is passed in place; BF16, F16 and Q8_0 weights
 * are decoded once, on first use, into an f32 copy in native memory that is cached on the WeightMatrix (freed with
 * it). <b>That trades memory for speed</b> — a BF16 model costs twice its size again, a Q8_0 one five times — which is
 * why the native path is opt-in and never the default. The bf16 kernel {@code cblas_sbgemm} would avoid the copy, but
 * it also rounds the activations to bf16 (a real loss of accuracy against the Java path, which keeps them f32), and
 * OpenBLAS runs it fast only on CPUs with AVX512-BF16, which the Zen 3 development machine lacks; so it is used only
 * when the library exports it <em>and</em> {@code -Dtessera.blas.sbgemm=true} is set. (Debian's 0.3.21 does not
 * export it at all.)
 *
 * <p>Heap arrays. A and out are usually Java arrays; the downcalls are linked with {@link Linker.Option#critical}
 * {@code (true)} so OpenBLAS reads and writes them in place instead of through staged off-heap copies (for
 * 1025×1024×4096 that would be ~20 MB copied per call, estimated — not measured — at a few % of its ~47 ms). The price is that a critical call holds off safepoints, so garbage collection waits for the
 * GEMM to finish (tens of ms for the largest shapes) — acceptable for an opt-in throughput backend.
 *
 * <p>Threads. OpenBLAS keeps its own pthreads; before each call its count is set to {@link Parallel#threads()} (when
 * it changed) via {@code openblas_set_num_threads}, so {@code --threads} means the same on both backends. The Java
 * pool is idle during the call, so the two do not compete for cores.
 */
public final class NativeBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112; // CBLAS_ORDER / CBLAS_TRANSPOSE values

    /** What {@code -Dtessera.blas} is unset: candidates in the order tried. */
    static final List<String> DEFAULT_CANDIDATES = List.of(
            "libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
            "/usr/lib64/libopenblas.so.0",
            "/usr/lib/libopenblas.so.0",
            "/usr/local/lib/libopenblas.so.0",
            "/opt/OpenBLAS/lib/libopenblas.so.0");

    static final String INSTALL_HINT = "install it with `apt-get install -y libopenblas0-pthread` (Debian/Ubuntu; or "
            + "libopenblas0), or point -Dtessera.blas=/path/to/libopenblas.so.0 at a copy";

    /** A loaded library's entry points, or why none could be loaded. */
    record Binding(String path, MethodHandle sgemm, MethodHandle sbgemm, MethodHandle setThreads, String error) {
        boolean ok() { return error == null; }
    }

    private static final class Holder { // loaded on first use, so the Java-only default never touches FFM linking
        static final Binding BINDING = load(candidates());
    }

    private static int openblasThreads = -1;
    private static final Map<WeightMatrix.Format, Boolean> AUTO_CHOICE = new EnumMap<>(WeightMatrix.Format.class);

    private NativeBlas() {}

    static List<String> candidates() {
        String p = System.getProperty("tessera.blas");
        return p != null && !p.isBlank() ? List.of(p) : DEFAULT_CANDIDATES;
    }

    /**
     * Tries each candidate (a bare name goes to the dynamic linker, a path is opened as is) and binds the symbols of
     * the first that opens and exports cblas_sgemm; otherwise returns a Binding whose error says what was tried and
     * how to install the library.
     */
    static Binding load(List<String> candidates) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return new Binding(null, null, null, null, "the native GEMM backend needs a little-endian CPU (weights are stored little-endian)");
        }
        List<String> failures = new ArrayList<>();
        Linker linker = Linker.nativeLinker();
        for (String c : candidates) {
            SymbolLookup lib;
            try {
                // Global arena: the library stays loaded for the life of the JVM, as the bound handles need.
                lib = c.contains("/") ? SymbolLookup.libraryLookup(java.nio.file.Path.of(c), Arena.global())
                        : SymbolLookup.libraryLookup(c, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                failures.add(c + " (" + (e instanceof IllegalCallerException ? "native access not enabled: run with --enable-native-access=ALL-UNNAMED" : "not found or not loadable") + ")");
                continue;
            }
            var sgemmAddr = lib.find("cblas_sgemm");
            if (sgemmAddr.isEmpty()) {
                failures.add(c + " (loaded, but exports no cblas_sgemm: not an LP64 CBLAS)");
                continue;
            }
            Linker.Option critical = Linker.Option.critical(true);
            FunctionDescriptor gemm = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT);
            MethodHandle sgemm = linker.downcallHandle(sgemmAddr.get(), gemm, critical);
            MethodHandle sbgemm = lib.find("cblas_sbgemm").map(a -> linker.downcallHandle(a, gemm, critical)).orElse(null);
            MethodHandle threads = lib.find("openblas_set_num_threads")
                    .map(a -> linker.downcallHandle(a, FunctionDescriptor.ofVoid(JAVA_INT))).orElse(null);
            return new Binding(c, sgemm, sbgemm, threads, null);
        }
        return new Binding(null, null, null, null, "OpenBLAS (libopenblas.so.0 with cblas_sgemm) could not be loaded; tried: "
                + String.join(", ", failures) + ". To use the native GEMM backend, " + INSTALL_HINT
                + "; or run with -Dtessera.backend=java (the default).");
    }

    /** True when the library loaded and cblas_sgemm is bound. */
    public static boolean isAvailable() {
        return Holder.BINDING.ok();
    }

    /** Why the backend is unavailable (what was tried, how to install it), or null when it is available. */
    public static String unavailableReason() {
        return Holder.BINDING.error();
    }

    /** The library path or name that was loaded, or null. */
    public static String libraryPath() {
        return Holder.BINDING.path();
    }

    /** True when the loaded library exports cblas_sbgemm (used only with -Dtessera.blas.sbgemm=true; see class comment). */
    public static boolean hasSbgemm() {
        return isAvailable() && Holder.BINDING.sbgemm() != null;
    }

    /** Throws the clear "missing library" error when the backend was asked for but cannot run. */
    static Binding require() {
        Binding b = Holder.BINDING;
        if (!b.ok()) throw new IllegalStateException("tessera.backend=native: " + b.error());
        return b;
    }

    /**
     * Whether {@link Gemm} should hand a call with weights of {@code format} to OpenBLAS under {@code backend}:
     * NATIVE always (failing clearly if the library is missing); AUTO when the library is there and a one-time probe
     * at that format found it faster.
     */
    static boolean use(Gemm.Backend backend, WeightMatrix.Format format) {
        return switch (backend) {
            case JAVA -> false;
            case NATIVE -> { require(); yield true; }
            case AUTO -> isAvailable() && autoChoice(format);
        };
    }

    private static synchronized boolean autoChoice(WeightMatrix.Format format) {
        Boolean c = AUTO_CHOICE.get(format);
        if (c == null) {
            c = probe(format);
            AUTO_CHOICE.put(format, c);
        }
        return c;
    }

    /**
     * One small product (128×512×512, ~34 M multiply-adds, well under a millisecond per call on either side), timed
     * alternately on both backends for ≤ 40 rounds or ~250 ms, keeping each side's best. The native side wins only
     * if it is at least 10 % faster: for non-f32 weights it costs a full f32 copy, which a tie does not justify. The
     * Java side may still be partly interpreted in the first rounds; taking the best of many alternating rounds lets
     * C2 catch up, and the cap keeps start-up cost bounded.
     */
    private static boolean probe(WeightMatrix.Format format) {
        int m = 128, k = 512, n = 512;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom r = new SplittableRandom(1);
            MemorySegment wf = arena.allocate(4L * n * k, 64);
            for (long i = 0; i < (long) n * k; i++) wf.setAtIndex(JAVA_FLOAT, i, (float) (r.nextDouble() - 0.5));
            WeightMatrix w = WeightMatrix.of(wf, org.tessera.core.DType.F32, n, k);
            if (format == WeightMatrix.Format.BF16 || format == WeightMatrix.Format.F16) {
                MemorySegment h = arena.allocate(2L * n * k, 64);
                for (long i = 0; i < (long) n * k; i++) {
                    float v = wf.getAtIndex(JAVA_FLOAT, i);
                    h.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, i,
                            format == WeightMatrix.Format.BF16 ? WeightMatrix.floatToBf16(v) : Float.floatToFloat16(v));
                }
                w = WeightMatrix.of(h, format == WeightMatrix.Format.BF16 ? org.tessera.core.DType.BF16 : org.tessera.core.DType.F16, n, k);
            } else if (format == WeightMatrix.Format.Q8_0) {
                w = w.quantizeQ8(arena);
            }
            float[] a = new float[m * k], out = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() - 0.5);
            long bestJava = Long.MAX_VALUE, bestNative = Long.MAX_VALUE, deadline = System.nanoTime() + 250_000_000L;
            for (int round = 0; round < 40 && (round < 3 || System.nanoTime() < deadline); round++) {
                long t0 = System.nanoTime();
                Gemm.matmulJava(a, 0, m, w, null, out, 0);
                long t1 = System.nanoTime();
                matmul(a, 0, null, m, w, null, out, 0, null);
                long t2 = System.nanoTime();
                bestJava = Math.min(bestJava, t1 - t0);
                bestNative = Math.min(bestNative, t2 - t1);
            }
            return bestNative * 1.1 < bestJava;
        }
    }

    /**
     * {@code out[m, n] = a[m, k] · Wᵀ (+ bias)} on OpenBLAS; the operands as {@link Gemm}'s private run() has them
     * (a and out each either an array with offset or a segment). Bounds are already checked by Gemm.
     */
    static void matmul(float[] aArr, int aOff, MemorySegment aSeg, int m, WeightMatrix w, float[] bias,
                       float[] oArr, int oOff, MemorySegment oSeg) {
        Binding b = require();
        int n = w.rows(), k = w.cols();
        MemorySegment a = aArr != null ? MemorySegment.ofArray(aArr).asSlice(4L * aOff, 4L * m * k) : aSeg;
        MemorySegment c = oArr != null ? MemorySegment.ofArray(oArr).asSlice(4L * oOff, 4L * m * n) : oSeg;
        // Bias: out starts as the bias rows and cblas adds onto it (beta = 1); without one, beta = 0 overwrites out.
        float beta = 0f;
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                if (oArr != null) System.arraycopy(bias, 0, oArr, oOff + i * n, n);
                else MemorySegment.copy(bias, 0, oSeg, F32_LE, 4L * i * n, n);
            }
            beta = 1f;
        }
        try {
            setThreads(b);
            if (w.format() == WeightMatrix.Format.BF16 && b.sbgemm() != null && Boolean.getBoolean("tessera.blas.sbgemm")
                    && w.data().address() % 2 == 0) {
                sbgemm(b, a, m, w, beta, c);
            } else {
                b.sgemm().invokeExact(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1f, a, k, f32Weights(w), k, beta, c, n);
            }
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException("cblas call failed", t);
        }
    }

    /** bf16 × bf16 → f32: A rounded to bf16 (nearest-even) into a scratch buffer, W passed in place. */
    private static void sbgemm(Binding b, MemorySegment a, int m, WeightMatrix w, float beta, MemorySegment c) throws Throwable {
        int n = w.rows(), k = w.cols();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment a16 = scratch.allocate(2L * m * k, 64);
            for (long i = 0; i < (long) m * k; i++) a16.set(I16_LE, 2 * i, WeightMatrix.floatToBf16(a.get(F32_LE, 4 * i)));
            b.sbgemm().invokeExact(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1f, a16, k, w.data(), k, beta, c, n);
        }
    }

    private static synchronized void setThreads(Binding b) throws Throwable {
        int t = Parallel.threads();
        if (b.setThreads() != null && t != openblasThreads) {
            b.setThreads().invokeExact(t);
            openblasThreads = t;
        }
    }

    /**
     * W as contiguous f32 {@code [n][k]}: the matrix's own data when it is f32 and float-aligned, else the cached
     * f32 copy (made here once, in parallel, into an automatic arena so it is freed with the WeightMatrix).
     */
    static MemorySegment f32Weights(WeightMatrix w) {
        if (w.format() == WeightMatrix.Format.F32 && w.data().address() % 4 == 0) return w.data();
        MemorySegment s = w.nativeF32;
        if (s != null) return s;
        synchronized (w) {
            if (w.nativeF32 == null) {
                int n = w.rows(), k = w.cols();
                MemorySegment copy = Arena.ofAuto().allocate(4L * n * k, 64);
                Parallel.forBlocks(n, (r0, r1) -> {
                    float[] row = new float[k];
                    for (int r = r0; r < r1; r++) {
                        w.decodeRow(r, row, 0);
                        MemorySegment.copy(row, 0, copy, F32_LE, 4L * r * k, k);
                    }
                });
                w.nativeF32 = copy;
            }
            return w.nativeF32;
        }
    }
}
