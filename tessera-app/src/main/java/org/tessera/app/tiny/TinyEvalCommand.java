package org.tessera.app.tiny;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.tessera.api.Answer;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.app.ImageInputOptions;
import org.tessera.app.ModelOptions;
import org.tessera.app.ModelTilingOptions;
import org.tessera.core.Parallel;
import org.tessera.eval.Kind;
import org.tessera.eval.report.Plot;
import org.tessera.eval.report.SweepRow;
import org.tessera.eval.report.Usage;
import org.tessera.eval.run.ProgressBar;
import org.tessera.eval.run.RunSettings;
import org.tessera.model.text.ChatTemplate;
import org.tessera.vision.tiling.TileTags;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera tiny eval}: exact match of a model's greedy answers on a synthetic test split (one question per line,
 * as {@code data synth} writes {@code test.jsonl}), by question type; with {@code --ablation}, once per tiling of the
 * papers' resolution study, as one table and one plot of accuracy against image tokens.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Exact match of greedy answers on a synthetic test split (test.jsonl of data synth), by question type.",
                "--ablation runs every tiling of the resolution study (one low-resolution tile; InternVL dynamic tiling at 4, 9, 12 and 16 tiles; "
                        + "12 without the thumbnail; 12 with NVLM 1-D tile tags) and writes ablation.md, ablation.json and ablation.png into --out."})
public final class TinyEvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "test.jsonl written by data synth (or tiny train's OUT/data/test.jsonl).")
    Path data;

    @Option(names = "--max", paramLabel = "N", description = "Use the first N questions only.")
    Integer max;

    @Mixin
    ModelTilingOptions tiling;

    @Option(names = "--ablation", description = "Every tiling of the resolution study, one after the other.")
    boolean ablation;

    @Option(names = "--out", paramLabel = "DIR", description = "Where predictions (and the ablation's table and plot) go (default: none written).")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One question of the test split. */
    record Question(String id, Path image, String question, String answer, String type, double answerTextPx) {}

    /** A tiling to test, named as the ablation table names it. */
    record Row(String name, String series, Tiling tiling, int maxTiles) {}

    /** What one tiling scored. */
    record Score(Row row, int questions, int correct, double meanTiles, double meanImageTokens, double secondsPerQuestion,
                 Map<String, int[]> byType) {
        double accuracy() { return questions == 0 ? Double.NaN : 100.0 * correct / questions; }
    }

    /** The resolution study's rows, in the order the table lists them. */
    static List<Row> ablationRows() {
        return List.of(
                new Row("fixed low resolution (1 tile)", "fixed", Tiling.internvl(1), 1),
                new Row("InternVL dynamic, 4 tiles", "internvl", Tiling.internvl(4), 4),
                new Row("InternVL dynamic, 9 tiles", "internvl", Tiling.internvl(9), 9),
                new Row("InternVL dynamic, 12 tiles (default)", "internvl", Tiling.internvl(12), 12),
                new Row("InternVL dynamic, 16 tiles", "internvl", Tiling.internvl(16), 16),
                new Row("12 tiles without the thumbnail", "no thumbnail", Tiling.internvl(12).withThumbnail(false), 12),
                new Row("12 tiles with NVLM 1-D tile tags", "NVLM 1-D tags", Tiling.internvl(12).withTags(TileTags.ONE_D), 12));
    }

    @Override
    public Integer call() throws IOException {
        if (threads != null) Parallel.setThreads(threads);
        PrintWriter w = spec.commandLine().getOut();
        List<Question> qs = read(data, max);
        List<Row> rows;
        if (ablation) {
            if (tiling.any()) throw new IllegalArgumentException("--ablation chooses the tilings itself; leave out the tiling options");
            rows = ablationRows();
        } else {
            Tiling t = tiling.toTiling();
            rows = List.of(new Row("as asked", t.strategy() == null ? "internvl" : t.strategy(), t, t.maxTiles() == null ? 0 : t.maxTiles()));
        }
        if (out != null) Files.createDirectories(out);
        List<Score> scores = new ArrayList<>();
        try (VisionLanguageModel vlm = modelOptions.load(new ImageInputOptions())) {
            for (Row row : rows) {
                Score s = run(vlm, row, qs, w);
                scores.add(s);
                w.printf(Locale.ROOT, "%-40s %6.1f %% exact (%d/%d)  %.1f tiles, %.0f image tokens, %.3f s per question%n", row.name(),
                        s.accuracy(), s.correct(), s.questions(), s.meanTiles(), s.meanImageTokens(), s.secondsPerQuestion());
                for (Map.Entry<String, int[]> e : s.byType().entrySet()) {
                    w.printf(Locale.ROOT, "    %-16s %6.1f %% (%d/%d)%n", e.getKey(), 100.0 * e.getValue()[0] / e.getValue()[1],
                            e.getValue()[0], e.getValue()[1]);
                }
                w.flush();
            }
        }
        if (out != null && ablation) writeAblation(scores, out, w);
        return 0;
    }

    private Score run(VisionLanguageModel vlm, Row row, List<Question> qs, PrintWriter w) throws IOException {
        boolean terminal = System.console() != null && System.console().isTerminal();
        ProgressBar bar = new ProgressBar(System.err, terminal, row.name());
        bar.start(qs.size(), 0);
        int correct = 0;
        double tiles = 0, secs = 0;
        Map<String, int[]> byType = new TreeMap<>();
        BufferedWriter pred = out == null ? null
                : Files.newBufferedWriter(out.resolve("predictions-" + row.name().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "") + ".jsonl"),
                        StandardCharsets.UTF_8);
        try {
            for (Question q : qs) {
                long t0 = System.nanoTime();
                Answer a = vlm.ask(Request.of(q.question(), q.image()).withTiling(row.tiling()));
                secs += (System.nanoTime() - t0) / 1e9;
                boolean ok = a.text().strip().equals(q.answer());
                if (ok) correct++;
                tiles += a.tiles();
                int[] c = byType.computeIfAbsent(q.type(), k -> new int[2]);
                if (ok) c[0]++;
                c[1]++;
                if (pred != null) {
                    ObjectNode o = JSON.createObjectNode().put("id", q.id()).put("type", q.type()).put("answer", q.answer())
                            .put("prediction", a.text()).put("correct", ok).put("tiles", a.tiles());
                    pred.write(JSON.writeValueAsString(o));
                    pred.newLine();
                }
                bar.step();
            }
        } finally {
            bar.finish();
            if (pred != null) pred.close();
        }
        int n = qs.size();
        double meanTiles = n == 0 ? 0 : tiles / n;
        return new Score(row, n, correct, meanTiles, meanTiles * vlm.model().tokensPerTile(), n == 0 ? 0 : secs / n, byType);
    }

    static List<Question> read(Path file, Integer max) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        List<Question> qs = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        int line = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line++;
            if (text.isBlank()) continue;
            if (max != null && qs.size() >= max) break;
            try {
                JsonNode o = JSON.readTree(text);
                JsonNode conv = o.path("conversations");
                if (!o.path("image").isTextual() || conv.size() != 2) {
                    throw new IllegalArgumentException("expected one image and one question with its answer");
                }
                String question = conv.get(0).path("value").asText().replace(ChatTemplate.IMAGE_PLACEHOLDER + "\n", "")
                        .replace(ChatTemplate.IMAGE_PLACEHOLDER, "");
                qs.add(new Question(o.path("id").asText(String.valueOf(line)), dir.resolve(o.get("image").asText()), question,
                        conv.get(1).path("value").asText(), o.path("question_type").asText("question"), o.path("answer_text_px").asDouble(Double.NaN)));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(file + ":" + line + ": " + e.getMessage(), e);
            }
        }
        if (qs.isEmpty()) throw new IllegalArgumentException(file + ": no questions");
        return qs;
    }

    private static void writeAblation(List<Score> scores, Path out, PrintWriter w) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| tiling | tiles per image | image tokens | exact match | total | other questions |\n|---|---|---|---|---|---|\n");
        List<Map<String, Object>> json = new ArrayList<>();
        List<SweepRow> points = new ArrayList<>();
        for (Score s : scores) {
            int[] total = s.byType().getOrDefault("total", new int[2]);
            int otherOk = s.correct() - total[0], otherN = s.questions() - total[1];
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.1f %% | %s | %s |%n", s.row().name(), s.meanTiles(),
                    s.meanImageTokens(), s.accuracy(), pct(total[0], total[1]), pct(otherOk, otherN)));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tiling", s.row().name());
            j.put("questions", s.questions());
            j.put("exact_match", s.accuracy());
            j.put("mean_tiles", s.meanTiles());
            j.put("mean_image_tokens", s.meanImageTokens());
            j.put("seconds_per_question", s.secondsPerQuestion());
            Map<String, Object> types = new LinkedHashMap<>();
            s.byType().forEach((k, v) -> types.put(k, Map.of("correct", v[0], "questions", v[1])));
            j.put("by_type", types);
            json.add(j);
            points.add(new SweepRow(new RunSettings(Kind.OCRVQA, s.row().series(), s.row().maxTiles(), 32),
                    new Usage(s.questions(), s.meanTiles(), s.meanImageTokens(), s.secondsPerQuestion()), s.accuracy()));
        }
        Files.writeString(out.resolve("ablation.md"), md.toString(), StandardCharsets.UTF_8);
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("ablation.json").toFile(), json);
        Plot.scoreVsImageTokens(points, "tessera-tiny: exact match against image tokens", out.resolve("ablation.png"));
        w.println(md);
        w.println("table, numbers and plot written to " + out + " (ablation.md, ablation.json, ablation.png)");
        w.flush();
    }

    private static String pct(int ok, int n) {
        return n == 0 ? "–" : String.format(Locale.ROOT, "%.1f %%", 100.0 * ok / n);
    }
}
