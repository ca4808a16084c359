package org.tessera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Datasets;
import org.tessera.eval.data.OnError;

class ScorerTest {
    @TempDir
    Path dir;

    @Test
    void anlsOverallPerSplitAndCategoryWithAMissingPrediction() throws Exception {
        Path f = Fixtures.tsv(dir.resolve("doc.tsv"), new String[] {"index", "question", "answer", "category", "split"},
                new String[] {"1", "q", "['Total', 'sum']", "form", "val"},
                new String[] {"2", "q", "abcd", "form", "val"},
                new String[] {"3", "q", "12.50", "table", "test"},
                new String[] {"4", "q", "x", "table", "test"});
        Dataset d = Datasets.load(f, Kind.DOCVQA, OnError.FAIL, true);
        Scores s = Scorer.score(Kind.DOCVQA, d, Map.of("1", "total", "2", "abxy", "3", "$12.50"));
        assertEquals(3, s.scored());
        assertEquals(1, s.missing());
        assertEquals((1.0 + 0.5 + 0.8333333333333334) / 3 * 100, s.score(), 1e-12);
        assertEquals(Map.of("form", 75.0, "table", 0.8333333333333334 * 100), s.breakdown().get("category"));
        assertEquals(List.of("val", "test"), List.copyOf(s.breakdown().get("split").keySet()).reversed());
        assertEquals(0.5, s.items().get(1).hit());
    }

    @Test
    void ocrBenchReportsItsGroups() throws Exception {
        Path f = Fixtures.tsv(dir.resolve("ocr.tsv"), new String[] {"index", "question", "answer", "category"},
                new String[] {"1", "q", "['hello']", "Regular Text Recognition"},
                new String[] {"2", "q", "['42']", "Digit String Recognition"},
                new String[] {"3", "q", "['x^2']", "Handwritten Mathematical Expression Recognition"},
                new String[] {"4", "q", "['Paris']", "Scene Text-centric VQA"});
        Dataset d = Datasets.load(f, Kind.OCRBENCH, OnError.FAIL, true);
        Scores s = Scorer.score(Kind.OCRBENCH, d, Map.of("1", "HELLO", "2", "It says 42.", "3", "X^2", "4", "Paris"));
        assertEquals(75.0, s.score());
        assertEquals(2.0, s.extra().get("Text Recognition"));
        assertEquals(0.0, s.extra().get("Handwritten Mathematical Expression Recognition"));
        assertEquals(1.0, s.extra().get("Scene Text-centric VQA"));
        assertEquals(3.0, s.extra().get("Final Score"));
        assertEquals(0.3, s.extra().get("Final Score Norm"));
    }

    @Test
    void mmbenchIsScoredByGroup() throws Exception {
        Path f = Fixtures.tsv(dir.resolve("mmb.tsv"),
                new String[] {"index", "question", "A", "B", "answer", "category", "l2-category"},
                new String[] {"0", "q0", "cat", "dog", "A", "coarse_perception", "perception"},
                new String[] {"1000000", "q0", "dog", "cat", "B", "coarse_perception", "perception"},
                new String[] {"1", "q1", "red", "blue", "B", "logic_reasoning", "reasoning"},
                new String[] {"1000001", "q1", "blue", "red", "A", "logic_reasoning", "reasoning"},
                new String[] {"2", "q2", "up", "down", "A", "logic_reasoning", "reasoning"});
        Dataset d = Datasets.load(f, Kind.MMBENCH, OnError.FAIL, true);
        // Group 0 right in both rotations; group 1 right once then wrong; group 2 has no prediction.
        Scores s = Scorer.score(Kind.MMBENCH, d, Map.of("0", "A", "1000000", "cat", "1", "B", "1000001", "B"));
        assertEquals(2, s.scored());
        assertEquals(1, s.missing());
        assertEquals(50.0, s.score());
        assertEquals(Map.of("CP", 100.0, "LR", 0.0), s.breakdown().get("category"));
        assertEquals(Map.of("perception", 100.0, "reasoning", 0.0), s.breakdown().get("l2-category"));
        assertEquals("A,B", s.items().get(0).pick());
        assertEquals("B,B", s.items().get(1).pick());
        // The same rows scored one by one (vanilla) would get 3 of 4.
        Scores v = Scorer.score(Kind.AI2D, d, Map.of("0", "A", "1000000", "cat", "1", "B", "1000001", "B"));
        assertEquals(75.0, v.score());
    }

    @Test
    void textVqaAndChartQa() throws Exception {
        Path f = Fixtures.tsv(dir.resolve("t.tsv"), new String[] {"index", "question", "answer"},
                new String[] {"1", "q", "['two', 'two', 'two', '2', 'three', 'three', 'three', 'three', 'three', 'three']"},
                new String[] {"2", "q", "['red', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue']"});
        Dataset d = Datasets.load(f, Kind.TEXTVQA, OnError.FAIL, true);
        assertEquals((1.0 + 0.3) / 2 * 100, Scorer.score(Kind.TEXTVQA, d, Map.of("1", "Two", "2", "red")).score(), 1e-12);
        Path c = Fixtures.tsv(dir.resolve("c.tsv"), new String[] {"index", "question", "answer"},
                new String[] {"1", "q", "12"}, new String[] {"2", "q", "Yes"});
        Dataset cd = Datasets.load(c, Kind.CHARTQA, OnError.FAIL, true);
        assertEquals(100.0, Scorer.score(Kind.CHARTQA, cd, Map.of("1", "12.5", "2", "yes")).score());
    }
}
