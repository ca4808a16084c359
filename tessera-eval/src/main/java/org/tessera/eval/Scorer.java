package org.tessera.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Sample;
import org.tessera.eval.metrics.Anls;
import org.tessera.eval.metrics.ExactMatch;
import org.tessera.eval.metrics.MultipleChoice;
import org.tessera.eval.metrics.OcrBench;
import org.tessera.eval.metrics.RelaxedAccuracy;
import org.tessera.eval.metrics.VqaAccuracy;
import org.tessera.eval.py.NumpyMath;

/**
 * Scores predictions against a dataset the way VLMEvalKit aggregates: the mean of the questions' hits times 100
 * (summed as numpy sums), overall and per split, category and l2-category. Rows without a prediction are left out
 * and counted, as VLMEvalKit scores a prediction file that covers part of a benchmark.
 */
public final class Scorer {
    private Scorer() {}

    /** Scores {@code predictions} (row index to answer text) on {@code data}. */
    public static Scores score(Kind kind, Dataset data, Map<String, String> predictions) {
        return kind.metric == Kind.Metric.CIRCULAR_CHOICE ? circular(kind, data, predictions) : perRow(kind, data, predictions);
    }

    /** One question's hit, 0 to 1. */
    public static double hit(Kind kind, Sample s, String prediction) {
        List<String> a = s.answers();
        return switch (kind.metric) {
            case ANLS -> Anls.score(a, prediction);
            case RELAXED_ACCURACY -> RelaxedAccuracy.score(a, prediction);
            case VQA_ACCURACY -> VqaAccuracy.score(a, prediction);
            case OCRBENCH -> OcrBench.correct(s.category(), a, prediction) ? 1.0 : 0.0;
            case EXACT_BEST -> ExactMatch.best(a, prediction);
            case EXACT_MEAN -> ExactMatch.mean(a, prediction);
            case NORMALIZED_MATCH -> VqaAccuracy.normalizedMatch(a, prediction);
            case MULTIPLE_CHOICE -> MultipleChoice.vanilla(row(s, prediction)).hit() ? 1.0 : 0.0;
            case CIRCULAR_CHOICE -> throw new IllegalArgumentException("CircularEval scores groups, not rows");
        };
    }

    private static MultipleChoice.Row row(Sample s, String prediction) {
        return new MultipleChoice.Row(s.options(), s.answer(), prediction);
    }

    private record Scored(Sample sample, double hit) {}

    private static Scores perRow(Kind kind, Dataset data, Map<String, String> predictions) {
        List<Scored> scored = new ArrayList<>();
        List<Scores.Item> items = new ArrayList<>();
        int missing = 0;
        for (Sample s : data.samples()) {
            String p = predictions.get(s.index());
            if (p == null) {
                missing++;
                continue;
            }
            double h = hit(kind, s, p);
            scored.add(new Scored(s, h));
            String pick = null;
            if (kind.metric == Kind.Metric.MULTIPLE_CHOICE) pick = letter(MultipleChoice.vanilla(row(s, p)).picks().get(0));
            items.add(new Scores.Item(s.index(), s.line(), p, h, pick));
        }
        Map<String, Double> extra = new LinkedHashMap<>();
        if (kind == Kind.OCRBENCH) {
            Map<String, Integer> right = new LinkedHashMap<>();
            for (Scored x : scored) right.merge(x.sample().category(), (int) x.hit(), Integer::sum);
            extra.putAll(OcrBench.report(right));
        }
        return new Scores(kind, mean(scored), scored.size(), missing, breakdown(kind, data, scored), extra, items);
    }

    private static Scores circular(Kind kind, Dataset data, Map<String, String> predictions) {
        // Rows with a prediction, grouped by g_index in index order; a group is scored when its main row is there.
        Map<Long, List<Sample>> groups = new TreeMap<>();
        int missing = 0;
        List<Sample> rows = new ArrayList<>(data.samples());
        rows.sort(Comparator.comparingLong(s -> Long.parseLong(s.index())));
        for (Sample s : rows) {
            if (!predictions.containsKey(s.index())) {
                missing++;
                continue;
            }
            groups.computeIfAbsent(s.groupIndex(), g -> new ArrayList<>()).add(s);
        }
        List<Scored> scored = new ArrayList<>();
        List<Scores.Item> items = new ArrayList<>();
        for (Map.Entry<Long, List<Sample>> g : groups.entrySet()) {
            Sample main = null;
            for (Sample s : g.getValue()) if (Long.parseLong(s.index()) == g.getKey()) main = s;
            if (main == null) continue; // VLMEvalKit scores only groups whose main row has a prediction
            List<MultipleChoice.Row> r = new ArrayList<>();
            for (Sample s : g.getValue()) r.add(row(s, predictions.get(s.index())));
            MultipleChoice.Result res = MultipleChoice.circular(r);
            double h = res.hit() ? 1.0 : 0.0;
            scored.add(new Scored(main, h));
            List<String> picks = new ArrayList<>();
            for (String p : res.picks()) picks.add(letter(p));
            items.add(new Scores.Item(main.index(), main.line(), predictions.get(main.index()), h, String.join(",", picks)));
        }
        // Rows of groups without a scored main row are also "missing" from the score's point of view.
        return new Scores(kind, mean(scored), scored.size(), missing, breakdown(kind, data, scored), Map.of(), items);
    }

    private static String letter(String pick) {
        return pick == null ? "-" : pick;
    }

    private static double mean(List<Scored> s) {
        if (s.isEmpty()) return Double.NaN;
        double[] h = new double[s.size()];
        for (int k = 0; k < h.length; k++) h[k] = s.get(k).hit();
        return NumpyMath.mean(h) * 100;
    }

    private static Map<String, Map<String, Double>> breakdown(Kind kind, Dataset data, List<Scored> scored) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        Function<String, String> name = kind.multipleChoice() ? c -> MultipleChoice.MMB_ABBREVIATIONS.getOrDefault(c, c) : c -> c;
        if (data.hasSplit()) out.put("split", group(scored, Sample::split, c -> c));
        if (data.hasL2() && kind.multipleChoice()) out.put("l2-category", group(scored, Sample::l2Category, name));
        if (data.hasCategory()) out.put("category", group(scored, Sample::category, name));
        out.values().removeIf(Map::isEmpty);
        return out;
    }

    private static Map<String, Double> group(List<Scored> scored, Function<Sample, String> key, Function<String, String> name) {
        Map<String, List<Scored>> by = new TreeMap<>();
        for (Scored s : scored) {
            String k = key.apply(s.sample());
            if (k != null) by.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        by.forEach((k, v) -> out.put(name.apply(k), mean(v)));
        return out;
    }
}
