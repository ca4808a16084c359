package org.tessera.eval.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiple-choice scoring as VLMEvalKit does it without a judge model ({@code vlmeval/dataset/utils/multiple_choice.py}:
 * {@code eval_vanilla}, {@code prefetch_circular_group}, {@code mcq_circular_eval}).
 *
 * <p>Vanilla (AI2D): a question is right when {@link ChoiceExtractor#infer} picks its answer letter. CircularEval
 * (MMBench): the rows sharing {@code g_index = index % 1e6} are one question asked with its options rotated; going
 * through the rows in index order, a pick that differs from the row's answer makes the question wrong at once; the
 * question is right only when every row's pick is its answer; a row with no pick leaves the question unresolved,
 * which counts as wrong under exact matching.
 */
public final class MultipleChoice {
    private MultipleChoice() {}

    /** MMBench's abbreviations of its categories, used in its reports. */
    public static final Map<String, String> MMB_ABBREVIATIONS = Map.of(
            "coarse_perception", "CP",
            "finegrained_perception (instance-level)", "FP-S",
            "finegrained_perception (cross-instance)", "FP-C",
            "logic_reasoning", "LR",
            "relation_reasoning", "RR",
            "attribute_reasoning", "AR");

    /** One row of a question: its options, answer letter and the model's text. */
    public record Row(Map<String, String> options, String answer, String prediction) {}

    /** What a question scored and the letter picked for each of its rows (null: no pick). */
    public record Result(boolean hit, List<String> picks) {}

    /** Vanilla: one row. */
    public static Result vanilla(Row r) {
        String pick = ChoiceExtractor.infer(r.prediction(), r.options());
        return new Result(r.answer().equals(pick), java.util.Arrays.asList(pick));
    }

    /** CircularEval: the rows of one group, in index order. */
    public static Result circular(List<Row> rows) {
        List<String> picks = new ArrayList<>();
        boolean all = true;
        for (Row r : rows) {
            String pick = ChoiceExtractor.infer(r.prediction(), new LinkedHashMap<>(r.options()));
            picks.add(pick);
            if (pick != null && !pick.equals(r.answer())) return new Result(false, picks); // failed in prefetching
            if (pick == null) all = false;
        }
        return new Result(all, picks); // unresolved groups need a judge model; without one they are wrong
    }
}
