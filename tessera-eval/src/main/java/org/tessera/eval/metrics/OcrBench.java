package org.tessera.eval.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OCRBench's scoring as VLMEvalKit computes it ({@code class OCRBench} in {@code vlmeval/dataset/image_vqa.py}):
 * a question is right when any of its answers is a substring of the prediction. Both sides are lower-cased,
 * {@code strip()}ped and have newlines turned into spaces; for "Handwritten Mathematical Expression Recognition" both
 * are instead {@code strip()}ped, newlines turned into spaces and all spaces removed, and the test is case-sensitive.
 * An empty answer is contained in every prediction. The report sums the six text-recognition categories into
 * "Text Recognition"; the Final Score is the number right (out of 1000 for the full benchmark) and the Final Score
 * Norm is that divided by 10.
 */
public final class OcrBench {
    public static final String HMER = "Handwritten Mathematical Expression Recognition";
    /** The ten categories, in VLMEvalKit's order; any other category is an error there (KeyError). */
    public static final List<String> CATEGORIES = List.of(
            "Regular Text Recognition", "Irregular Text Recognition", "Artistic Text Recognition",
            "Handwriting Recognition", "Digit String Recognition", "Non-Semantic Text Recognition",
            "Scene Text-centric VQA", "Doc-oriented VQA", "Key Information Extraction", HMER);
    /** The report's groups: the first six categories make "Text Recognition". */
    public static final List<String> GROUPS = List.of("Text Recognition", "Scene Text-centric VQA", "Doc-oriented VQA",
            "Key Information Extraction", HMER);

    private OcrBench() {}

    public static boolean correct(String category, List<String> answers, String prediction) {
        boolean hmer = HMER.equals(category);
        String p = hmer ? squeeze(prediction) : plain(prediction);
        for (String a : answers) {
            if (p.contains(hmer ? squeeze(a) : plain(a))) return true;
        }
        return false;
    }

    private static String plain(String s) {
        return org.tessera.eval.py.PyStr.strip(org.tessera.eval.py.PyStr.lower(s)).replace("\n", " ");
    }

    private static String squeeze(String s) {
        return org.tessera.eval.py.PyStr.strip(s).replace("\n", " ").replace(" ", "");
    }

    /** The report's group of a category. */
    public static String group(String category) {
        int k = CATEGORIES.indexOf(category);
        if (k < 0) throw new IllegalArgumentException("not an OCRBench category: " + category);
        return k < 6 ? "Text Recognition" : category;
    }

    /** VLMEvalKit's score dictionary from the number right per category. */
    public static Map<String, Double> report(Map<String, Integer> rightPerCategory) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String g : GROUPS) out.put(g, 0.0);
        int total = 0;
        for (Map.Entry<String, Integer> e : rightPerCategory.entrySet()) {
            out.merge(group(e.getKey()), (double) e.getValue(), Double::sum);
            total += e.getValue();
        }
        out.put("Final Score", (double) total);
        out.put("Final Score Norm", total / 10.0);
        return out;
    }
}
