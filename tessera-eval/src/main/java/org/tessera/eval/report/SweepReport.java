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
import org.tessera.eval.Kind;

/** An ablation's table (Markdown and JSON) and its plot, written as sweep.md, sweep.json and sweep.png. */
public final class SweepReport {
    public static final String MARKDOWN_FILE = "sweep.md";
    public static final String JSON_FILE = "sweep.json";
    public static final String PLOT_FILE = "sweep.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepReport() {}

    public static String markdown(Kind kind, List<SweepRow> rows, String title) {
        StringBuilder b = new StringBuilder("### ").append(title).append("\n\n");
        b.append("| strategy | max tiles | tiles / question | image tokens / question | s / question | ").append(kind.metric.label).append(" |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (SweepRow r : rows) {
            b.append("| ").append(r.settings().strategy()).append(" | ").append(r.settings().baseMaxTiles())
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.usage().meanTiles()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", r.usage().meanImageTokens()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.usage().secondsPerQuestion()))
                    .append(" | ").append(Report.num(r.score())).append(" |\n");
        }
        return b.toString();
    }

    public static ObjectNode json(Kind kind, List<SweepRow> rows) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", kind.id);
        o.put("metric", kind.metric.label);
        ArrayNode a = o.putArray("settings");
        for (SweepRow r : rows) {
            ObjectNode x = a.addObject();
            x.put("strategy", r.settings().strategy());
            x.put("max_tiles", r.settings().baseMaxTiles());
            x.put("folder", r.settings().folderName());
            x.put("questions", r.usage().questions());
            x.put("mean_tiles", r.usage().meanTiles());
            x.put("mean_image_tokens", r.usage().meanImageTokens());
            x.put("seconds_per_question", r.usage().secondsPerQuestion());
            Report.putScore(x, "score", r.score());
        }
        return o;
    }

    /**
     * Writes the three files; returns a note when the plot could not be drawn (no scores, or no fonts on a headless
     * machine), else null.
     */
    public static String write(Path dir, Kind kind, List<SweepRow> rows, String title) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(kind, rows, title), StandardCharsets.UTF_8);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(JSON_FILE).toFile(), json(kind, rows));
        if (rows.stream().allMatch(r -> Double.isNaN(r.score()))) return "no plot: the data has no answers to score";
        try {
            Plot.scoreVsImageTokens(rows, kind.title + " (" + kind.metric.label + ")", dir.resolve(PLOT_FILE));
            return null;
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException | Error e) { // a headless JVM without fonts cannot draw text
            return "no plot: " + e;
        }
    }
}
