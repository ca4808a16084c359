package org.tessera.eval.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.eval.Fixtures;

class JsonlReaderTest {
    @TempDir
    Path dir;

    @Test
    void rowsOptionsAndProblems() throws Exception {
        Files.createDirectories(dir.resolve("img"));
        Files.write(dir.resolve("img/a.png"), Fixtures.png(20, 10, 1));
        String text = """
                {"index": 10, "image": "img/a.png", "question": "Total?", "answers": ["12.50", 12.5], "category": "receipts"}
                {"image": ["img/a.png", "img/a.png"], "question": "Same?", "answer": "['yes', 'y']"}

                {"question": "Colour?", "options": ["red", "blue"], "answer": "B", "hint": "Look."}
                {"question": "Animal?", "options": {"A": "cat", "B": "dog"}, "answer": "A", "split": "dev"}
                {"question": "broken", "answer": "x"
                {"index": 10, "question": "dup", "answer": "x"}
                {"question": "", "answer": "x"}
                {"question": "q", "options": {"a": "lower"}}
                """;
        Dataset d = JsonlReader.read(Fixtures.write(dir.resolve("set.jsonl"), text));
        assertEquals(List.of("10", "2", "4", "5"), d.samples().stream().map(Sample::index).toList());
        Sample a = d.samples().get(0);
        assertEquals(List.of("12.50", "12.5"), a.answers());
        assertInstanceOf(ImageRef.FileRef.class, a.images().get(0));
        assertEquals(dir.resolve("img/a.png").toAbsolutePath(), ((ImageRef.FileRef) a.images().get(0)).path());
        assertEquals("receipts", a.category());
        assertEquals(List.of("yes", "y"), d.samples().get(1).answers());
        assertEquals(2, d.samples().get(1).images().size());
        assertEquals(Map.of("A", "red", "B", "blue"), d.samples().get(2).options());
        assertEquals("Look.", d.samples().get(2).hint());
        assertEquals("dev", d.samples().get(3).split());
        assertTrue(d.hasSplit() && d.hasCategory());
        assertEquals(List.of(6, 7, 8, 9), d.problems().stream().map(RowProblem::line).toList());
        assertTrue(d.problems().get(0).message().startsWith("not JSON"));
        assertTrue(d.problems().get(1).message().contains("duplicate index (also on line 1)"));
        assertTrue(d.problems().get(3).message().contains("not a capital letter"));
    }
}
