package org.tessera.eval.metrics;

import java.util.List;
import org.tessera.eval.py.PyStr;

/**
 * ANLS (DocVQA, InfoVQA) as VLMEvalKit computes it ({@code vlmeval/dataset/utils/vqa_eval.py}: {@code anls_compute},
 * {@code hit_calculate}).
 *
 * <p>Both strings are normalised ({@code ' '.join(s.strip().lower().split())}) for the edit distance, but the distance
 * is divided by {@code max(len(gt.upper()), len(pred.upper()))} of the <em>raw</em> strings: surrounding spaces and
 * upper-casing that lengthens a string ({@code 'ß'} → {@code 'SS'}) both shrink the normalised distance. Two empty
 * strings have distance 0. A question scores {@code 1 - min(NL over answers)}, or 0 when that is below the threshold
 * 0.5.
 */
public final class Anls {
    public static final double THRESHOLD = 0.5;

    private Anls() {}

    /** {@code anls_compute(gt, pred)}: the normalised Levenshtein distance NL in [0, 1]. */
    public static double distance(String groundTruth, String prediction) {
        String gt = PyStr.collapseSpaces(PyStr.lower(PyStr.strip(groundTruth)));
        String det = PyStr.collapseSpaces(PyStr.lower(PyStr.strip(prediction)));
        int dist = levenshtein(gt, det);
        int length = Math.max(PyStr.len(PyStr.upper(groundTruth)), PyStr.len(PyStr.upper(prediction)));
        return length == 0 ? 0.0 : (double) dist / (double) length;
    }

    /** The question's score: {@code 0 if 1 - min(NL) < 0.5 else 1 - min(NL)}. */
    public static double score(List<String> answers, String prediction) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers to score against");
        double min = Double.POSITIVE_INFINITY;
        for (String a : answers) min = Math.min(min, distance(a, prediction));
        double s = 1 - min;
        return s < THRESHOLD ? 0.0 : s;
    }

    /** Edit distance (insert, delete, substitute, each 1) between two strings, counted in code points. */
    public static int levenshtein(String a, String b) {
        int[] s1 = a.codePoints().toArray(), s2 = b.codePoints().toArray();
        if (s1.length > s2.length) {
            int[] t = s1;
            s1 = s2;
            s2 = t;
        }
        int[] prev = new int[s1.length + 1], cur = new int[s1.length + 1];
        for (int k = 0; k <= s1.length; k++) prev[k] = k;
        for (int j = 0; j < s2.length; j++) {
            cur[0] = j + 1;
            for (int k = 0; k < s1.length; k++) {
                cur[k + 1] = s1[k] == s2[j] ? prev[k] : 1 + Math.min(prev[k], Math.min(prev[k + 1], cur[k]));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[s1.length];
    }
}
