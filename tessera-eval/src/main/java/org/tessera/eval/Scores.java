package org.tessera.eval;

import java.util.List;
import java.util.Map;

/**
 * What a set of predictions scored on a benchmark.
 *
 * @param kind      the benchmark kind
 * @param score     the overall score, 0 to 100
 * @param scored    questions scored (CircularEval: groups)
 * @param missing   rows of the data without a prediction (left out of the score)
 * @param breakdown per group: "split", "category", "l2-category" to name to score (0 to 100)
 * @param extra     kind-specific figures (OCRBench: its groups, Final Score, Final Score Norm)
 * @param items     each question's result
 */
public record Scores(Kind kind, double score, int scored, int missing, Map<String, Map<String, Double>> breakdown,
                     Map<String, Double> extra, List<Item> items) {

    /**
     * One question's result.
     *
     * @param index      the row index (CircularEval: the group's main row)
     * @param line       its line in the data file
     * @param prediction the model's answer (CircularEval: the main row's)
     * @param hit        its score, 0 to 1
     * @param pick       multiple choice: the letters extracted ("-" for none), comma-separated over rotations
     */
    public record Item(String index, int line, String prediction, double hit, String pick) {}
}
