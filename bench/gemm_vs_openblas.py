#!/usr/bin/env python3
"""Compare tessera's pure-Java GEMM / matrix-vector kernels with numpy's BLAS (OpenBLAS) in the same run.

    python3 bench/gemm_vs_openblas.py [--threads T] [--quick] [--dtypes f32,bf16] [--no-gemv]

For each shape it alternates, --rounds times, numpy's float32 `a @ w.T` (a: [m, k], w: [n, k], the Linear layout)
and tessera's Java run for each dtype, and keeps each side's best; on a shared machine, bursts of load from other
processes then hit both sides alike, and the best of several tries is each side's capability. The ratio is
tessera's best / numpy's best; the load average is printed beside each row. For matrix-vector it
times numpy's sgemv `W @ x` on a 512 MB float32 matrix and tessera's matvec on bf16 (and f32) weights of the same
byte size, in GB/s of weight bytes read.

Which numpy: the script needs one whose BLAS is OpenBLAS at run time (checked in /proc/self/maps after a
matmul). Debian's /usr/bin/python3 numpy links the reference netlib BLAS (about 2 GFLOP/s) unless libopenblas is
installed as the libblas.so.3 alternative, so when the running interpreter's BLAS is not OpenBLAS the script
re-runs itself under the first python3 on PATH (or in ~/.pyenv) whose numpy has it.

The Java side runs `./tessera bench gemm ...` when the launcher has that command, otherwise
`java ... org.tessera.core.kernels.bench.GemmBenchmark` from tessera-core/target/classes (compiled if missing).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VIT = [(1025, 1024, 3072), (1025, 1024, 4096), (1025, 4096, 1024)]
QWEN = [(512, 896, 896), (512, 896, 4864), (2048, 896, 4864), (512, 896, 151936)]


def blas_libs():
    """Shared libraries with 'blas' in their name mapped into this process (after numpy has run a matmul)."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path).lower():
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


def has_openblas():
    try:
        import numpy as np
    except ImportError:
        return False
    a = np.ones((64, 64), dtype=np.float32)
    _ = a @ a
    return any("openblas" in os.path.basename(p).lower() for p in blas_libs())


def other_pythons():
    seen = {os.path.realpath(sys.executable)}
    cands = []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        for name in ("python3", "python"):
            p = os.path.join(d, name)
            if os.access(p, os.X_OK):
                cands.append(p)
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")))
    for p in cands:
        rp = os.path.realpath(p)
        if rp not in seen:
            seen.add(rp)
            yield p


def ensure_openblas():
    if has_openblas() or os.environ.get("TESSERA_BENCH_REEXEC"):
        return
    probe = ("import numpy as np,os;a=np.ones((64,64),dtype=np.float32);a@a;"
             "m=open('/proc/self/maps').read();print('openblas' in m.lower())")
    for py in other_pythons():
        try:
            out = subprocess.run([py, "-c", probe], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            print(f"# {sys.executable}: numpy's BLAS is not OpenBLAS ({blas_libs() or 'no numpy'}); re-running under {py}",
                  file=sys.stderr)
            env = dict(os.environ, TESSERA_BENCH_REEXEC="1")
            os.execve(py, [py] + sys.argv, env)
    print("# WARNING: no numpy with OpenBLAS found; ratios are against whatever BLAS numpy has", file=sys.stderr)


def numpy_gemm(m, k, n, reps):
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    np.matmul(a, w.T, out=out)  # warm-up (thread start, page faults)
    best = float("inf")
    t_end = time.perf_counter() + 1.0
    i = 0
    while i < reps or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        np.matmul(a, w.T, out=out)
        best = min(best, time.perf_counter() - t0)
        i += 1
    return 2.0 * m * n * k / best / 1e9


def numpy_gemv_gbps(rows, cols, reps):
    import numpy as np
    w = np.random.default_rng(1).standard_normal((rows, cols), dtype=np.float32)
    x = np.ones(cols, dtype=np.float32)
    y = w @ x
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(w, x, out=y)
        best = min(best, time.perf_counter() - t0)
    return w.nbytes / best / 1e9


def java_cmd(threads):
    launcher = os.path.join(ROOT, "tessera")
    try:
        r = subprocess.run([launcher, "bench", "gemm", "--help"], capture_output=True, text=True, timeout=600)
        if r.returncode == 0 and "--dtype" in r.stdout:  # a launcher without the command still exits 0 on --help
            return [launcher, "bench", "gemm"]
    except OSError:
        pass
    classes = os.path.join(ROOT, "tessera-core", "target", "classes")
    if not os.path.exists(os.path.join(classes, "org/tessera/core/kernels/bench/GemmBenchmark.class")):
        subprocess.run(["mvn", "-B", "-q", "-o", "-f", os.path.join(ROOT, "pom.xml"), "-pl", "tessera-core", "compile"],
                       check=True)
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    if not os.access(java, os.X_OK):
        java = shutil.which("java") or "java"
    return [java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
            "-Xmx8g", "-cp", classes, "org.tessera.core.kernels.bench.GemmBenchmark"]


def java_bench(cmd, m, k, n, dtype, threads, extra=()):
    args = cmd + ["--m", str(m), "--k", str(k), "--n", str(n), "--dtype", dtype, "--threads", str(threads), *extra]
    r = subprocess.run(args, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{' '.join(args)} printed no JSON line:\n{r.stdout}\n{r.stderr}")


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--quick", action="store_true", help="ViT shapes only")
    ap.add_argument("--dtypes", default="f32,bf16", help="comma list of f32,bf16,f16,int8")
    ap.add_argument("--no-gemv", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3, help="alternations of numpy and Java per shape")
    args = ap.parse_args()

    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # read by OpenBLAS when numpy loads it
    ensure_openblas()
    import numpy as np

    cmd = java_cmd(args.threads)
    print(f"# numpy {np.__version__} BLAS {blas_libs()}  threads={args.threads}  java: {' '.join(cmd[-3:])}")
    print(f"# load average at start: {load():.2f}")
    dtypes = [d for d in args.dtypes.split(",") if d]
    shapes = VIT + ([] if args.quick else QWEN)
    print(f"{'m':>5} {'k':>5} {'n':>6} | {'numpy GF/s':>10} | " + " | ".join(f"{d + ' GF/s':>10} {'ratio':>6}" for d in dtypes) + " | load")
    for (m, k, n) in shapes:
        big = 2.0 * m * n * k > 5e10
        reps = 2 if big else args.reps
        extra = ("--reps", str(reps)) + (("--min-seconds", "0.5", "--warmup", "0.5") if big else ())
        ref = 0.0
        best = {d: None for d in dtypes}
        for _ in range(args.rounds):
            ref = max(ref, numpy_gemm(m, k, n, reps))
            for d in dtypes:
                r = java_bench(cmd, m, k, n, d, args.threads, extra)
                if best[d] is None or r["gflops"] > best[d]["gflops"]:
                    best[d] = r
        cols = " | ".join(f"{best[d]['gflops']:>10.1f} {best[d]['gflops'] / ref:>6.2f}" for d in dtypes)
        print(f"{m:>5} {k:>5} {n:>6} | {ref:>10.1f} | {cols} | {load():.2f}", flush=True)

    if not args.no_gemv:
        # 512 MB of weights either way: f32 8192x16384 for numpy and tessera-f32, bf16 16384x16384 for tessera-bf16.
        ref, jb, jf = 0.0, None, None
        for _ in range(args.rounds):
            ref = max(ref, numpy_gemv_gbps(8192, 16384, 10))
            b = java_bench(cmd, 1, 16384, 16384, "bf16", args.threads, ("--reps", "10"))
            f = java_bench(cmd, 1, 16384, 8192, "f32", args.threads, ("--reps", "10"))
            jb = b if jb is None or b["weight_gbps"] > jb["weight_gbps"] else jb
            jf = f if jf is None or f["weight_gbps"] > jf["weight_gbps"] else jf
        print(f"# matrix-vector, weight bytes read per second (512 MB matrices), load {load():.2f}")
        print(f"numpy sgemv f32: {ref:.1f} GB/s")
        print(f"tessera bf16:    {jb['weight_gbps']:.1f} GB/s  ratio {jb['weight_gbps'] / ref:.2f}")
        print(f"tessera f32:     {jf['weight_gbps']:.1f} GB/s  ratio {jf['weight_gbps'] / ref:.2f}")
    print(f"# load average at end: {load():.2f}")


if __name__ == "__main__":
    main()
