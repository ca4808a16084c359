#!/usr/bin/env bash
# Pillow vs tessera on the resizes of InternVL's tiling of a 3840x2160 frame, same machine, same run.
#   bench/resample/run.sh [SOURCE_IMAGE] [REPEATS]
# Builds tessera-vision's test classes, runs Pillow (system python3 with Pillow 9.4 + numpy), then the Java side
# twice: the first calls of a fresh JVM (JIT warm-up included), and both kernel sets after warm-up, with the pool's
# threads and with one. The Java side also checks that every tessera output is byte-identical to Pillow's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
SRC="${1:--}"; REPEATS="${2:-10}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
mvn -B -q -f "$ROOT/pom.xml" -pl tessera-vision -am test-compile >/dev/null
CP="$ROOT/tessera-vision/target/test-classes:$ROOT/tessera-vision/target/classes:$ROOT/tessera-core/target/classes"
/usr/bin/python3 "$ROOT/bench/resample/pillow_resize.py" "$WORK" "$SRC" "$REPEATS"
for mode in cold steady; do
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx2g -cp "$CP" \
    org.tessera.vision.resample.PillowResizeBench "$WORK" "$REPEATS" "$mode" 2>&1 | grep -v "incubator modules"
done
