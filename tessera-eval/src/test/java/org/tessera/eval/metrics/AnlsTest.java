package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ANLS; expected NL and scores from VLMEvalKit's anls_compute and hit_calculate (DocVQA) under CPython 3.11. */
class AnlsTest {

    static void nl(String gt, String pred, double distance, double score) {
        assertEquals(distance, Anls.distance(gt, pred), () -> "anls_compute(" + gt + ", " + pred + ")");
        assertEquals(score, Anls.score(List.of(gt), pred), () -> "score(" + gt + ", " + pred + ")");
    }

    @Test
    void normalisationAndThreshold() {
        nl("Hello", "hello ", 0.0, 1.0);
        nl("New\n\nYork", "new york", 0.0, 1.0);
        nl("", "", 0.0, 1.0);                  // both empty: distance 0
        nl("abc", "", 1.0, 0.0);
        nl("abcd", "abxy", 0.5, 0.5);          // exactly at the threshold: kept
        nl("abcde", "abxyz", 0.6, 0.0);        // below it: 0
        nl("12.50", "$12.50", 0.16666666666666666, 0.8333333333333334);
        nl("Total: 5", "total 5", 0.125, 0.875);
    }

    @Test
    void rawLengthQuirk() {
        // The distance is over normalised text, the length over the raw text upper-cased.
        nl("  abc  ", "abd", 0.14285714285714285, 0.8571428571428572); // 1 / len("  ABC  ")
        nl("\u00df", "ss", 1.0, 0.0);           // 'ß' vs 'ss': distance 2, length len('SS') = 2
        nl("\u0130", "i", 1.0, 0.0);            // 'İ'.lower() is two code points: distance 2 over length 1, NL 2 -> score 0
        nl("\ud83d\ude00a", "a", 0.5, 0.5);     // lengths count code points, not UTF-16 units
    }

    @Test
    void bestOverAnswers() {
        assertEquals(0.8, Anls.score(List.of("twelve", "12.50", "$12.50"), "12.5"));
        assertEquals(3, Anls.levenshtein("kitten", "sitting"));
    }
}
