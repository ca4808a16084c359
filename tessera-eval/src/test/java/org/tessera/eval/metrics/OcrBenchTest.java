package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OCRBench containment; expected values from VLMEvalKit's OCRBench.evaluate loop under CPython 3.11. */
class OcrBenchTest {
    static final String REGULAR = "Regular Text Recognition";

    @Test
    void containment() {
        assertEquals(true, OcrBench.correct(REGULAR, List.of("Hello"), "the word is HELLO."));
        assertEquals(true, OcrBench.correct(REGULAR, List.of("hello world"), "hello\nworld"));
        assertEquals(false, OcrBench.correct(REGULAR, List.of("hello world"), "helloworld"));
        assertEquals(true, OcrBench.correct("Doc-oriented VQA", List.of("  Total "), "total: 5"));
        assertEquals(true, OcrBench.correct("Key Information Extraction", List.of("a", "b"), "B"));
        assertEquals(true, OcrBench.correct("Digit String Recognition", List.of(""), "anything")); // '' is in every string
    }

    @Test
    void handwrittenMathIsCaseSensitiveWithoutSpaces() {
        assertEquals(false, OcrBench.correct(OcrBench.HMER, List.of("x^2 + 1"), "x^{2}+1"));
        assertEquals(true, OcrBench.correct(OcrBench.HMER, List.of("x^2 + 1"), "$x^2+1$"));
        assertEquals(false, OcrBench.correct(OcrBench.HMER, List.of("X^2"), "x^2"));
    }

    @Test
    void reportGroupsTheTextRecognitionCategories() {
        Map<String, Integer> right = new LinkedHashMap<>();
        right.put(REGULAR, 40);
        right.put("Digit String Recognition", 30);
        right.put("Doc-oriented VQA", 150);
        right.put(OcrBench.HMER, 55);
        Map<String, Double> r = OcrBench.report(right);
        assertEquals(70.0, r.get("Text Recognition"));
        assertEquals(0.0, r.get("Scene Text-centric VQA"));
        assertEquals(150.0, r.get("Doc-oriented VQA"));
        assertEquals(55.0, r.get(OcrBench.HMER));
        assertEquals(275.0, r.get("Final Score"));
        assertEquals(27.5, r.get("Final Score Norm"));
    }
}
