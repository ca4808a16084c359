package org.tessera.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.core.Parallel;
import org.tessera.core.kernels.bench.GemmBenchmark;

/** The benchmark entry point the CLI calls: runs, and reports sane, parseable figures. */
class GemmBenchmarkTest {
    @Test
    void tinyRunReportsJson() {
        int before = Parallel.threads();
        try {
            GemmBenchmark.Result r = GemmBenchmark.run(5, 40, 24, GemmBenchmark.parseDtype("bf16"), 1, 2, 0.0, 0.0);
            assertTrue(r.gflops() > 0 && r.gflops() >= r.gflopsMedian());
            assertEquals(2L * 24 * 40, r.weightBytes());
            String json = r.toJson();
            assertTrue(json.startsWith("{\"bench\":\"gemm\",\"m\":5,\"k\":40,\"n\":24,\"dtype\":\"bf16\",\"threads\":1,"), json);
            assertTrue(json.contains("\"gflops\":") && json.contains("\"weight_gbps\":") && json.endsWith(",\"backend\":\"java\"}"), json);
            assertEquals(WeightMatrix.Format.Q8_0, GemmBenchmark.parseDtype("int8"));
        } finally {
            Parallel.setThreads(before);
        }
    }
}
