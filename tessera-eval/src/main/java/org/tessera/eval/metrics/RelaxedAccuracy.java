package org.tessera.eval.metrics;

import java.util.List;
import org.tessera.eval.py.PyFloat;
import org.tessera.eval.py.PyStr;

/**
 * ChartQA's relaxed accuracy as VLMEvalKit computes it ({@code relaxed_correctness}, taken from pix2struct, and
 * {@code process_line(method='relaxed_accuracy')}).
 *
 * <p>The prediction is {@code strip()}ped, the target is not. Each is read as a number by Python's {@code float()},
 * except that text ending in {@code %} has all its trailing {@code %} removed and is divided by 100. When the
 * prediction is a number and the target a non-zero number (NaN counts as non-zero, as {@code bool(nan)} is true),
 * the answer is right when {@code |p - t| / |t| <= 0.05}; otherwise the two texts must be equal after {@code lower()}.
 * So "1,000", "$5" or "5 m" are compared as text, and a target of "0" needs the exact text "0". A question scores 1
 * when any of its answers is matched.
 */
public final class RelaxedAccuracy {
    public static final double MAX_RELATIVE_CHANGE = 0.05;

    private RelaxedAccuracy() {}

    /** pix2struct's {@code _to_float}: a trailing {@code %} divides by 100; null where {@code float()} fails. */
    public static Double toFloat(String text) {
        if (text.endsWith("%")) {
            Double v = PyFloat.parse(PyStr.rstrip(text, "%"));
            return v == null ? null : v / 100.0;
        }
        return PyFloat.parse(text);
    }

    /** {@code relaxed_correctness(target, prediction, 0.05)}. */
    public static boolean correct(String target, String prediction) {
        Double p = toFloat(prediction);
        Double t = toFloat(target);
        if (p != null && t != null && t != 0.0) { // `and target_float`: None and 0.0 (and -0.0) are false
            double relativeChange = Math.abs(p - t) / Math.abs(t);
            return relativeChange <= MAX_RELATIVE_CHANGE;
        }
        return PyStr.lower(prediction).equals(PyStr.lower(target));
    }

    /** The question's score: 1 when any answer is matched by the stripped prediction. */
    public static double score(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        String p = PyStr.strip(prediction);
        for (String a : answers) if (correct(a, p)) return 1.0;
        return 0.0;
    }
}
