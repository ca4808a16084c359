package org.tessera.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import org.tessera.eval.py.NumpyMath;

/**
 * The VQA accuracy (TextVQA) as VLMEvalKit computes it ({@code process_line(method='vqa_score')} and
 * {@code hit_calculate}): answers and prediction are normalised by {@link VqaNormalizer}; for each of the n answers
 * (ten in TextVQA), {@code min(1, (number of the other n-1 answers equal to the prediction) / 3)}; the question
 * scores the mean over those n leave-one-out subsets. A prediction matching 3 of 10 answers scores 0.9, 4 or more
 * score 1. With a single answer the score is always 0 (there is no other answer to agree with), exactly as in
 * VLMEvalKit, which is why the generic {@code vqa} kind does not use this metric.
 */
public final class VqaAccuracy {
    private VqaAccuracy() {}

    /** The per-subset accuracies, in answer order (VLMEvalKit's {@code match} list). */
    public static double[] matches(List<String> answers, String prediction) {
        List<String> gts = new ArrayList<>(answers.size());
        for (String a : answers) gts.add(VqaNormalizer.normalize(a));
        String pred = VqaNormalizer.normalize(prediction);
        double[] match = new double[gts.size()];
        for (int i = 0; i < gts.size(); i++) {
            int agree = 0;
            for (int j = 0; j < gts.size(); j++) if (j != i && gts.get(j).equals(pred)) agree++;
            match[i] = Math.min(1.0, agree / 3.0);
        }
        return match;
    }

    /** The question's score: the mean of {@link #matches}, summed as numpy sums. */
    public static double score(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        return NumpyMath.mean(matches(answers, prediction));
    }

    /**
     * tessera's score for generic VQA data (usually one answer): 1 when the normalised prediction equals any
     * normalised answer. Not a VLMEvalKit metric: VLMEvalKit's default would score single-answer data 0.
     */
    public static double normalizedMatch(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        String pred = VqaNormalizer.normalize(prediction);
        for (String a : answers) if (VqaNormalizer.normalize(a).equals(pred)) return 1.0;
        return 0.0;
    }
}
