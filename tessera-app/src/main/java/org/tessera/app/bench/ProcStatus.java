package org.tessera.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Figures from /proc/self (Linux) for benchmark output; -1 where unavailable. */
final class ProcStatus {
    private ProcStatus() {}

    /** A "Key:   N kB" field of /proc/self/status or /proc/self/smaps_rollup, in bytes. */
    static long kb(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/" + file))) {
                if (line.startsWith(key + ":")) {
                    String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Bytes of this process's memory mapped with 2 MB pages (anonymous THP and PMD-mapped file pages). */
    static long hugeBytes() {
        long a = kb("smaps_rollup", "AnonHugePages"), f = kb("smaps_rollup", "FilePmdMapped");
        return Math.max(0, a) + Math.max(0, f);
    }
}
