#!/usr/bin/env python3
"""Compare tessera's pure-Java GEMM / matrix-vector kernels with numpy's BLAS (OpenBLAS) in the same run.

    python3 bench/gemm_vs_openblas.py [--threads T] [--quick] [--dtypes f32,bf16] [--rounds R] [--no-gemv]

Method. The machine is shared, so other processes' load comes and goes during a run. One Java process is kept
running (`GemmBenchmark --serve`, or `./tessera bench gemm --serve` when the launcher has that command) and, for
each shape, the script alternates R times between a short numpy slice and a short Java slice per dtype; each side
keeps its best. A burst of load then hits both sides alike, and best-of-R estimates what each can do on an idle
machine. Printed: numpy's float32 `a @ w.T` GFLOP/s (a: [m, k], w: [n, k], the Linear layout), tessera's per dtype,
their ratio, and the load average. For matrix-vector: numpy's sgemv `W @ x` on a 512 MB float32 matrix against
tessera's m = 1 path on bf16 (and f32) weights of the same byte size, in GB/s of weight bytes read.

Which numpy: it needs one whose BLAS is OpenBLAS at run time (checked in /proc/self/maps after a matmul). Debian's
/usr/bin/python3 numpy links the reference netlib BLAS (about 2 GFLOP/s) unless libopenblas is installed as the
libblas.so.3 alternative, so when the running interpreter's BLAS is not OpenBLAS the script re-runs itself under the
first python3 on PATH (or in ~/.pyenv) whose numpy has it.
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
    """Shared libraries with 'blas' in their name mapped into this process."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and "blas" in os.path.basename(parts[-1]).lower():
                    libs.add(parts[-1])
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
    probe = ("import numpy as np;a=np.ones((64,64),dtype=np.float32);a@a;"
             "m=open('/proc/self/maps').read();print('openblas' in m.lower())")
    for py in other_pythons():
        try:
            out = subprocess.run([py, "-c", probe], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            print(f"# {sys.executable}: numpy's BLAS is not OpenBLAS ({blas_libs() or 'no numpy'}); re-running under {py}",
                  file=sys.stderr)
            os.execve(py, [py] + sys.argv, dict(os.environ, TESSERA_BENCH_REEXEC="1"))
    print("# WARNING: no numpy with OpenBLAS found; ratios are against whatever BLAS numpy has", file=sys.stderr)


class NumpyGemm:
    def __init__(self, m, k, n):
        import numpy as np
        rng = np.random.default_rng(0)
        self.a = rng.standard_normal((m, k), dtype=np.float32)
        self.w = rng.standard_normal((n, k), dtype=np.float32)
        self.out = np.empty((m, n), dtype=np.float32)
        self.flops = 2.0 * m * n * k
        np.matmul(self.a, self.w.T, out=self.out)  # thread start-up, page faults

    def slice(self, seconds):
        """Best GFLOP/s over calls for about `seconds` (at least two calls)."""
        import numpy as np
        best, end, i = float("inf"), time.perf_counter() + seconds, 0
        while i < 2 or time.perf_counter() < end:
            t0 = time.perf_counter()
            np.matmul(self.a, self.w.T, out=self.out)
            best = min(best, time.perf_counter() - t0)
            i += 1
        return self.flops / best / 1e9


class NumpyGemv:
    def __init__(self, rows, cols):
        import numpy as np
        self.w = np.random.default_rng(1).standard_normal((rows, cols), dtype=np.float32)
        self.x = np.ones(cols, dtype=np.float32)
        self.y = self.w @ self.x

    def slice(self, seconds):
        import numpy as np
        best, end, i = float("inf"), time.perf_counter() + seconds, 0
        while i < 3 or time.perf_counter() < end:
            t0 = time.perf_counter()
            np.matmul(self.w, self.x, out=self.y)
            best = min(best, time.perf_counter() - t0)
            i += 1
        return self.w.nbytes / best / 1e9


class JavaServer:
    """One warm JVM answering benchmark requests (GemmBenchmark --serve)."""

    def __init__(self):
        launcher = os.path.join(ROOT, "tessera")
        cmd = None
        try:
            r = subprocess.run([launcher, "bench", "gemm", "--help"], capture_output=True, text=True, timeout=900)
            if r.returncode == 0 and "--serve" in r.stdout:  # a launcher without the command still exits 0 on --help
                cmd = [launcher, "bench", "gemm", "--serve"]
        except OSError:
            pass
        if cmd is None:
            classes = os.path.join(ROOT, "tessera-core", "target", "classes")
            if not os.path.exists(os.path.join(classes, "org/tessera/core/kernels/bench/GemmBenchmark.class")):
                subprocess.run(["mvn", "-B", "-q", "-f", os.path.join(ROOT, "pom.xml"), "-pl", "tessera-core", "compile"],
                               check=True)
            java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
            if not os.access(java, os.X_OK):
                java = shutil.which("java") or "java"
            cmd = [java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
                   "-Xmx12g", "-cp", classes, "org.tessera.core.kernels.bench.GemmBenchmark", "--serve"]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1)

    def run(self, m, k, n, dtype, threads, warmup, min_seconds, reps):
        self.proc.stdin.write(f"--m {m} --k {k} --n {n} --dtype {dtype} --threads {threads} "
                              f"--warmup {warmup} --min-seconds {min_seconds} --reps {reps}\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{' '.join(self.cmd)} ended")
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                if "error" in r:
                    raise RuntimeError(r["error"])
                return r

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--quick", action="store_true", help="ViT shapes only")
    ap.add_argument("--dtypes", default="f32,bf16", help="comma list of f32,bf16,f16,int8")
    ap.add_argument("--rounds", type=int, default=6, help="alternations of numpy and Java per shape")
    ap.add_argument("--slice", type=float, default=0.4, help="seconds per numpy slice / Java minimum")
    ap.add_argument("--no-gemv", action="store_true")
    args = ap.parse_args()

    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # read when OpenBLAS loads
    ensure_openblas()
    import numpy as np

    java = JavaServer()
    print(f"# numpy {np.__version__}, BLAS {blas_libs()}, threads={args.threads}, rounds={args.rounds}")
    print(f"# java: {' '.join(java.cmd[-4:])}")
    print(f"# load average at start: {load():.2f}")
    dtypes = [d for d in args.dtypes.split(",") if d]
    shapes = VIT + ([] if args.quick else QWEN)
    print(f"{'m':>5} {'k':>5} {'n':>6} | {'numpy GF/s':>10} | "
          + " | ".join(f"{d + ' GF/s':>10} {'ratio':>6}" for d in dtypes) + " | load")
    for (m, k, n) in shapes:
        npg = NumpyGemm(m, k, n)
        ref, best = 0.0, {d: 0.0 for d in dtypes}
        for _ in range(args.rounds):
            ref = max(ref, npg.slice(args.slice))
            for d in dtypes:
                r = java.run(m, k, n, d, args.threads, 0.1, args.slice, 2)
                best[d] = max(best[d], r["gflops"])
        del npg
        cols = " | ".join(f"{best[d]:>10.1f} {best[d] / ref:>6.2f}" for d in dtypes)
        print(f"{m:>5} {k:>5} {n:>6} | {ref:>10.1f} | {cols} | {load():.2f}", flush=True)

    if not args.no_gemv:
        # 512 MB of weights either way: f32 8192x16384 for numpy and tessera-f32, bf16 16384x16384 for tessera-bf16.
        gv = NumpyGemv(8192, 16384)
        ref, jb, jf = 0.0, 0.0, 0.0
        for _ in range(args.rounds):
            ref = max(ref, gv.slice(args.slice))
            jb = max(jb, java.run(1, 16384, 16384, "bf16", args.threads, 0.1, args.slice, 3)["weight_gbps"])
            jf = max(jf, java.run(1, 16384, 8192, "f32", args.threads, 0.1, args.slice, 3)["weight_gbps"])
        del gv
        print(f"# matrix-vector, GB/s of weight bytes read (512 MB matrices), load {load():.2f}")
        print(f"numpy sgemv f32: {ref:.1f} GB/s")
        print(f"tessera bf16:    {jb:.1f} GB/s  ratio {jb / ref:.2f}")
        print(f"tessera f32:     {jf:.1f} GB/s  ratio {jf / ref:.2f}")
    java.close()
    print(f"# load average at end: {load():.2f}")


if __name__ == "__main__":
    main()
