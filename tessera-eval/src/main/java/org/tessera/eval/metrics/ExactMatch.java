package org.tessera.eval.metrics;

import java.util.List;
import org.tessera.eval.py.NumpyMath;
import org.tessera.eval.py.PyStr;

/**
 * VLMEvalKit's {@code accuracy} method (OCRVQA, GQA): an answer matches when {@code a.strip().lower() ==
 * pred.strip().lower()}. The question's hit is the best match for OCRVQA but the <em>mean</em> over answers for GQA
 * ({@code hit_calculate} lists only ChartQA and OCRVQA for the maximum); GQA has one answer per question, so the two
 * agree there.
 */
public final class ExactMatch {
    private ExactMatch() {}

    public static double[] matches(List<String> answers, String prediction) {
        String p = PyStr.lower(PyStr.strip(prediction));
        double[] m = new double[answers.size()];
        for (int k = 0; k < m.length; k++) m[k] = PyStr.lower(PyStr.strip(answers.get(k))).equals(p) ? 1.0 : 0.0;
        return m;
    }

    /** OCRVQA: 1 when any answer matches. */
    public static double best(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        double best = 0;
        for (double v : matches(answers, prediction)) best = Math.max(best, v);
        return best;
    }

    /** GQA: the fraction of answers matched. */
    public static double mean(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        return NumpyMath.mean(matches(answers, prediction));
    }
}
