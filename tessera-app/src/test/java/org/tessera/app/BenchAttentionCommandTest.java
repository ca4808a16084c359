package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tessera.core.Parallel;

/** {@code tessera bench attention} as a script calls it: one parseable JSON line, and bad head counts rejected. */
class BenchAttentionCommandTest {
    /** Runs the CLI with System.out captured (the bench commands print their JSON line there). */
    private static String[] run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int before = Parallel.threads();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute(args);
        } finally {
            System.setOut(old);
            Parallel.setThreads(before);
        }
        return new String[] {Integer.toString(code), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void printsOneJsonLine() throws Exception {
        String[] r = run("bench", "attention", "--seq", "33", "--heads", "4", "--kv-heads", "2", "--head-dim", "20",
                "--causal", "--threads", "1", "--reps", "2", "--warmup", "0");
        assertEquals("0", r[0], r[1]);
        JsonNode j = new ObjectMapper().readTree(r[1].strip());
        assertEquals("attention", j.get("bench").asText());
        assertEquals(33, j.get("seq").asInt());
        assertEquals(2, j.get("kv_heads").asInt());
        assertTrue(j.get("causal").asBoolean());
        assertTrue(j.get("gflops").asDouble() > 0 && j.get("seconds").asDouble() > 0, r[1]);
    }

    @Test
    void rejectsHeadsNotMultipleOfKvHeads() {
        String[] r = run("bench", "attention", "--seq", "8", "--heads", "3", "--kv-heads", "2", "--head-dim", "8", "--warmup", "0");
        assertNotEquals("0", r[0]);
    }
}
