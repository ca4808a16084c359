package org.tessera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interrupted writes leave the target as it was and no partial file; the progress line's text. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriteThatDiesHalfwayLeavesTheOldFileAndNoPartial() throws IOException {
        Path t = dir.resolve("data.jsonl");
        AtomicFiles.write(t, "old\n".getBytes());
        RuntimeException boom = new RuntimeException("killed");
        RuntimeException e = assertThrows(RuntimeException.class, () -> AtomicFiles.write(t, out -> {
            out.write("new first half".getBytes());
            out.flush();
            throw boom;
        }));
        assertEquals(boom, e);
        assertEquals("old\n", Files.readString(t));
        assertEquals(List.of("data.jsonl"), names());
    }

    @Test
    void aNewFileAppearsOnlyWhenComplete() throws IOException {
        Path t = dir.resolve("new.jsonl");
        assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.write(t, out -> {
            out.write('x');
            throw new IOException("disk full");
        }));
        assertFalse(Files.exists(t));
        assertEquals(List.of(), names());
        AtomicFiles.write(t, out -> out.write("ok".getBytes()));
        assertEquals("ok", Files.readString(t));
    }

    @Test
    void progressLine() {
        ProgressBar b = new ProgressBar(System.err, false, "ppl", 100, 20);
        String s = b.render(60, 10_000_000_000L);
        assertTrue(s.startsWith("ppl [" + "#".repeat(18) + " ".repeat(12) + "] 60/100  4.00/s  ETA 0:00:10"), s);
        assertEquals("ppl 5", new ProgressBar(System.err, false, "ppl", 0, 0).render(5, 0));
    }
}
