package org.tessera.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.tessera.eval.data.Sample;
import org.tessera.eval.metrics.OcrBench;

/**
 * The benchmarks tessera can run and score, each with the metric VLMEvalKit uses for it, the tile budget and the
 * prompt of VLMEvalKit's InternVL wrapper ({@code vlmeval/vlm/internvl/internvl_chat.py}: {@code set_max_num},
 * {@code build_prompt}; {@code utils.py}: {@code build_multi_choice_prompt}), and a default answer budget after
 * InternVL's own evaluation scripts (VLMEvalKit's wrapper allows 4096 tokens; greedy answers stop long before).
 */
public enum Kind {
    DOCVQA("docvqa", "DocVQA", Metric.ANLS, 18, 100),
    INFOVQA("infovqa", "InfoVQA", Metric.ANLS, 24, 100),
    CHARTQA("chartqa", "ChartQA", Metric.RELAXED_ACCURACY, 12, 100),
    TEXTVQA("textvqa", "TextVQA", Metric.VQA_ACCURACY, 6, 10),
    OCRBENCH("ocrbench", "OCRBench", Metric.OCRBENCH, 24, 100),
    OCRVQA("ocrvqa", "OCRVQA", Metric.EXACT_BEST, 12, 100),
    GQA("gqa", "GQA", Metric.EXACT_MEAN, 6, 100),
    VQA("vqa", "generic VQA", Metric.NORMALIZED_MATCH, 6, 100),
    AI2D("ai2d", "AI2D", Metric.MULTIPLE_CHOICE, 6, 10),
    MMBENCH("mmbench", "MMBench", Metric.CIRCULAR_CHOICE, 6, 10),
    MCQ("mcq", "generic multiple choice", Metric.MULTIPLE_CHOICE, 6, 10);

    /** How a kind is scored. */
    public enum Metric {
        /** ANLS with threshold 0.5, best over answers. */
        ANLS("ANLS"),
        /** ChartQA relaxed accuracy (5%). */
        RELAXED_ACCURACY("relaxed accuracy"),
        /** VQA accuracy over the leave-one-out subsets of the answers. */
        VQA_ACCURACY("VQA accuracy"),
        /** OCRBench containment. */
        OCRBENCH("OCRBench containment"),
        /** Case-insensitive exact match, best over answers (OCRVQA). */
        EXACT_BEST("exact match"),
        /** Case-insensitive exact match, mean over answers (GQA). */
        EXACT_MEAN("exact match"),
        /** VQA-normalised exact match, best over answers (tessera's, for generic data). */
        NORMALIZED_MATCH("normalised exact match"),
        /** Option extraction by exact matching, one try per question. */
        MULTIPLE_CHOICE("multiple-choice accuracy"),
        /** Option extraction, a question right only when all its circular rotations are. */
        CIRCULAR_CHOICE("CircularEval accuracy");

        public final String label;

        Metric(String label) {
            this.label = label;
        }
    }

    /** VLMEvalKit's InternVL wrapper: at most 64 tiles over all the images of one question. */
    public static final int TOTAL_TILE_BUDGET = 64;
    public static final String VQA_SUFFIX = "\nAnswer the question using a single word or phrase.";
    private static final Pattern CJK = Pattern.compile("[\\u4e00-\\u9fff]");

    public final String id;
    public final String title;
    public final Metric metric;
    /** The wrapper's {@code max_num} for this benchmark. */
    public final int maxTiles;
    /** Default {@code max_new_tokens}. */
    public final int maxNewTokens;

    Kind(String id, String title, Metric metric, int maxTiles, int maxNewTokens) {
        this.id = id;
        this.title = title;
        this.metric = metric;
        this.maxTiles = maxTiles;
        this.maxNewTokens = maxNewTokens;
    }

    public boolean multipleChoice() {
        return metric == Metric.MULTIPLE_CHOICE || metric == Metric.CIRCULAR_CHOICE;
    }

    public static String names() {
        return Arrays.stream(values()).map(k -> k.id).collect(Collectors.joining(", "));
    }

    public static Kind parse(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (Kind k : values()) if (k.id.equals(t)) return k;
        throw new IllegalArgumentException("unknown benchmark kind '" + s + "' (expected one of " + names() + ")");
    }

    /** The wrapper's tile limit for a question with {@code images} images: {@code max(1, min(max_num, 64 // n))}. */
    public static int tileLimit(int maxTiles, int images) {
        return Math.max(1, Math.min(maxTiles, TOTAL_TILE_BUDGET / Math.max(1, images)));
    }

    /**
     * The text of the question as the InternVL wrapper builds it (the images' {@code <image>} placeholders are put
     * in front by the API, as the wrapper's {@code reorganize_prompt} does).
     */
    public String prompt(Sample s) {
        if (!multipleChoice()) return s.question() + VQA_SUFFIX;
        String q = s.question();
        if (s.hint() != null) q = s.hint() + "\n" + q;
        StringBuilder b = new StringBuilder(q);
        s.options().forEach((k, v) -> b.append('\n').append(k).append(". ").append(v));
        String p = b.toString();
        boolean cn = CJK.matcher(p).find();
        if (!s.options().isEmpty()) return p + (cn ? "\n请直接回答选项字母。" : "\nAnswer with the option's letter from the given choices directly.");
        return p + (cn ? "\n请直接回答问题。" : "\nAnswer the question directly.");
    }

    /** What is wrong with a row for this kind, or null. Answers are checked only where a row has one. */
    public String check(Sample s) {
        if (multipleChoice()) {
            if (s.options().isEmpty()) return "no options (columns A, B, ...) for a multiple-choice question";
            if (s.answer() != null && !s.options().containsKey(s.answer())) {
                return "the answer '" + s.answer() + "' is not one of the options " + String.join(", ", s.options().keySet());
            }
        }
        if (metric == Metric.CIRCULAR_CHOICE && !s.index().matches("-?[0-9]+")) {
            return "index '" + s.index() + "' is not an integer (CircularEval groups rows by index % 1000000)";
        }
        if (this == OCRBENCH) {
            if (s.answer() != null && s.answerList() == null) return "the answer is not a Python list literal (OCRBench eval()s it)";
            if (s.category() == null || !OcrBench.CATEGORIES.contains(s.category())) {
                return "category '" + s.category() + "' is not one of OCRBench's ten";
            }
        }
        if (s.hasAnswer() && s.answers().isEmpty()) return "the answer list is empty";
        return null;
    }
}
