package org.tessera.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tessera.eval.Kind;
import org.tessera.eval.Scores;
import org.tessera.eval.data.RowProblem;

/** A benchmark's scores as JSON (for scripts) and as a Markdown table (for people). */
public final class Report {
    public static final String JSON_FILE = "report.json";
    public static final String MARKDOWN_FILE = "report.md";
    public static final String RESULTS_FILE = "results.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Report() {}

    /** A score for JSON: rounded to 1e-9 (NaN, when nothing was scored, is null). */
    static void putScore(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) o.putNull(key);
        else o.put(key, v);
    }

    /**
     * The scores as one JSON object: {@code kind}, {@code metric}, {@code score} (0 to 100), {@code scored},
     * {@code missing}, then one object per breakdown ({@code split}, {@code category}, {@code l2-category}) and for
     * OCRBench its groups under {@code ocrbench}.
     */
    public static ObjectNode scoresJson(Scores s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", s.kind().id);
        o.put("metric", s.kind().metric.label);
        putScore(o, "score", s.score());
        o.put("scored", s.scored());
        o.put("missing", s.missing());
        s.breakdown().forEach((group, scores) -> {
            ObjectNode g = o.putObject(group);
            scores.forEach((k, v) -> putScore(g, k, v));
        });
        if (!s.extra().isEmpty()) {
            ObjectNode g = o.putObject(s.kind().id);
            s.extra().forEach((k, v) -> putScore(g, k, v));
        }
        return o;
    }

    /** The full report of a run: settings, usage, problems, scores (null when the data has no answers). */
    public static ObjectNode runJson(ObjectNode about, Usage usage, List<RowProblem> malformed, List<RowProblem> skipped,
                                     Scores scores) {
        ObjectNode o = about.deepCopy();
        ObjectNode u = o.putObject("usage");
        u.put("questions", usage.questions());
        u.put("mean_tiles", usage.meanTiles());
        u.put("mean_image_tokens", usage.meanImageTokens());
        u.put("seconds_per_question", usage.secondsPerQuestion());
        problems(o.putArray("malformed_rows"), malformed);
        problems(o.putArray("skipped_rows"), skipped);
        if (scores == null) o.putNull("scores");
        else o.set("scores", scoresJson(scores));
        return o;
    }

    private static void problems(ArrayNode a, List<RowProblem> ps) {
        for (RowProblem p : ps) {
            ObjectNode x = a.addObject();
            x.put("line", p.line());
            if (p.index() != null) x.put("index", p.index());
            x.put("problem", p.message());
        }
    }

    static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The scores as a Markdown table: overall, then each breakdown; OCRBench's groups as VLMEvalKit reports them. */
    public static String markdown(Scores s, String title) {
        StringBuilder b = new StringBuilder();
        b.append("### ").append(title).append("\n\n");
        b.append("| | ").append(s.kind().metric.label).append(" |\n|---|---:|\n");
        b.append("| **Overall** (").append(s.scored()).append(s.kind().metric == Kind.Metric.CIRCULAR_CHOICE ? " questions" : " rows")
                .append(") | **").append(num(s.score())).append("** |\n");
        s.breakdown().forEach((group, scores) -> scores.forEach((k, v) -> b.append("| ").append(group).append(": ")
                .append(k.replace("|", "\\|")).append(" | ").append(num(v)).append(" |\n")));
        if (!s.extra().isEmpty()) {
            b.append("\n| ").append(s.kind().title).append(" | count |\n|---|---:|\n");
            s.extra().forEach((k, v) -> b.append("| ").append(k).append(" | ")
                    .append(v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : num(v)).append(" |\n"));
        }
        if (s.missing() > 0) b.append("\n").append(s.missing()).append(" rows had no prediction and were left out.\n");
        return b.toString();
    }

    /** Writes report.json, report.md and results.jsonl (each question's prediction and score) into {@code dir}. */
    public static void write(Path dir, ObjectNode runJson, String markdown, Scores scores) throws IOException {
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(JSON_FILE).toFile(), runJson);
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown, StandardCharsets.UTF_8);
        if (scores != null) {
            StringBuilder r = new StringBuilder();
            for (Scores.Item it : scores.items()) {
                ObjectNode x = JSON.createObjectNode();
                x.put("index", it.index());
                x.put("line", it.line());
                x.put("prediction", it.prediction());
                x.put("hit", it.hit());
                if (it.pick() != null) x.put("pick", it.pick());
                r.append(JSON.writeValueAsString(x)).append('\n');
            }
            Files.writeString(dir.resolve(RESULTS_FILE), r.toString(), StandardCharsets.UTF_8);
        }
    }
}
