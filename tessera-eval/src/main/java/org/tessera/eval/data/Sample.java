package org.tessera.eval.data;

import java.util.List;
import java.util.Map;

/**
 * One row of a benchmark.
 *
 * @param index      the row's {@code index}, as text (integers in canonical form)
 * @param line       the line of the file where the row starts, from 1 (the TSV header is line 1)
 * @param images     the images, in order (empty for a text-only row)
 * @param question   the question
 * @param hint       the hint (MMBench), or null
 * @param options    option letter to text, in letter order (multiple choice), possibly empty
 * @param answer     the answer cell as written, or null when the row has none (a TEST split)
 * @param answerList the answers when the cell is a Python list literal (or JSONL gave a list), else null
 * @param category   the category, or null
 * @param l2Category the level-2 category (MMBench), or null
 * @param split      the split, or null
 */
public record Sample(String index, int line, List<ImageRef> images, String question, String hint,
                     Map<String, String> options, String answer, List<String> answerList,
                     String category, String l2Category, String split) {

    public Sample {
        images = List.copyOf(images);
        options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        answerList = answerList == null ? null : List.copyOf(answerList);
    }

    /** The answers a metric compares with: the list's elements, or the single answer. */
    public List<String> answers() {
        if (answerList != null) return answerList;
        return answer == null ? List.of() : List.of(answer);
    }

    public boolean hasAnswer() {
        return answer != null || answerList != null;
    }

    /** VLMEvalKit's {@code g_index} for circular evaluation: {@code int(index % 1e6)}. */
    public long groupIndex() {
        // Python's int(x % 1e6): a modulo with the sign of the divisor, exact for the indices benchmarks use
        return Math.floorMod(Long.parseLong(index), 1_000_000L);
    }
}
