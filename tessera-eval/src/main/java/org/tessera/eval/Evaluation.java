package org.tessera.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tessera.api.VisionLanguageModel;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.OnError;
import org.tessera.eval.data.Sample;
import org.tessera.eval.report.Report;
import org.tessera.eval.report.Usage;
import org.tessera.eval.run.EvalRunner;
import org.tessera.eval.run.Prediction;
import org.tessera.eval.run.ProgressBar;
import org.tessera.eval.run.RunSettings;
import org.tessera.vision.tiling.TilingStrategies;

/** Running and scoring a benchmark, one setting or an ablation over several, with reports written as it goes. */
public final class Evaluation {
    private Evaluation() {}

    /**
     * One setting's outcome.
     *
     * @param run      the predictions and what was skipped
     * @param scores   the scores, or null when the data has no answers (a TEST split)
     * @param usage    tiles, image tokens and time per question
     * @param markdown the report as Markdown
     */
    public record Outcome(EvalRunner.Result run, Scores scores, Usage usage, String markdown) {}

    /** Scores the rows that have answers; null when none has. */
    public static Scores scoreAnswered(Kind kind, Dataset data, Map<String, String> predictions) {
        List<Sample> answered = data.samples().stream().filter(Sample::hasAnswer).toList();
        if (answered.isEmpty()) return null;
        return Scorer.score(kind, data.withSamples(answered, data.problems()), predictions);
    }

    public static Map<String, String> texts(Map<String, Prediction> predictions) {
        Map<String, String> m = new LinkedHashMap<>();
        predictions.forEach((k, v) -> m.put(k, v.prediction()));
        return m;
    }

    /** Runs one setting into {@code dir} (resuming what is there), scores it and writes report.json / report.md. */
    public static Outcome run(VisionLanguageModel vlm, String model, Dataset data, RunSettings settings, Path dir, OnError onError,
                              ProgressBar bar) throws IOException {
        EvalRunner.Result r = EvalRunner.run(vlm, model, data, settings, dir, onError, bar);
        Scores scores = scoreAnswered(settings.kind(), data, texts(r.predictions()));
        Usage usage = Usage.of(data, r.predictions());
        ObjectNode about = new ObjectMapper().createObjectNode();
        about.put("model", model);
        about.put("data", data.file().toAbsolutePath().normalize().toString());
        about.put("kind", settings.kind().id);
        about.put("metric", settings.kind().metric.label);
        about.put("strategy", settings.strategy());
        about.put("max_tiles", settings.baseMaxTiles());
        about.put("max_new_tokens", settings.maxNewTokens());
        String title = settings.kind().title + " — " + Path.of(model).getFileName() + " — " + settings.label();
        String md = scores == null
                ? "### " + title + "\n\nThe data has no answers: " + r.predictions().size() + " predictions are in "
                        + dir.resolve(EvalRunner.PREDICTIONS) + ".\n"
                : Report.markdown(scores, title);
        String usageLine = String.format(Locale.ROOT, "\n%d questions; %.2f tiles, %.1f image tokens, %.2f s per question.\n",
                usage.questions(), usage.meanTiles(), usage.meanImageTokens(), usage.secondsPerQuestion());
        md = md + usageLine;
        if (!r.skipped().isEmpty()) md = md + r.skipped().size() + " questions were skipped (see report.json).\n";
        Report.write(dir, Report.runJson(about, usage, data.problems(), r.skipped(), scores), md, scores);
        return new Outcome(r, scores, usage, md);
    }

    /**
     * The settings of an ablation: {@code base} varied along each axis given as {@code name=v1,v2,...}, every
     * combination, strategies outermost. Axes: {@code max-tiles} and {@code strategy}.
     */
    public static List<RunSettings> sweep(RunSettings base, List<String> axes) {
        List<String> strategies = null;
        List<Integer> tiles = null;
        for (String spec : axes) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("--sweep '" + spec + "': expected NAME=V1,V2,... (max-tiles=1,6,12 or strategy=internvl,catty)");
            }
            String name = spec.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('_', '-');
            List<String> values = new ArrayList<>();
            for (String v : spec.substring(eq + 1).split(",")) if (!v.isBlank()) values.add(v.strip());
            if (values.isEmpty()) throw new IllegalArgumentException("--sweep '" + spec + "': no values");
            switch (name) {
                case "max-tiles", "tiles" -> {
                    if (tiles != null) throw new IllegalArgumentException("--sweep: max-tiles given twice");
                    tiles = new ArrayList<>();
                    for (String v : values) {
                        try {
                            int n = Integer.parseInt(v);
                            if (n < 1) throw new NumberFormatException();
                            if (!tiles.contains(n)) tiles.add(n);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--sweep max-tiles: '" + v + "' is not a positive whole number");
                        }
                    }
                }
                case "strategy" -> {
                    if (strategies != null) throw new IllegalArgumentException("--sweep: strategy given twice");
                    strategies = new ArrayList<>();
                    for (String v : values) {
                        if (!TilingStrategies.NAMES.contains(v)) {
                            throw new IllegalArgumentException("--sweep strategy: unknown strategy '" + v + "' (expected one of "
                                    + String.join(", ", TilingStrategies.NAMES) + ")");
                        }
                        if (!strategies.contains(v)) strategies.add(v);
                    }
                }
                default -> throw new IllegalArgumentException("--sweep: unknown axis '" + name + "' (expected max-tiles or strategy)");
            }
        }
        if (strategies == null) strategies = List.of(base.strategy());
        List<RunSettings> out = new ArrayList<>();
        for (String s : strategies) {
            if (tiles == null) out.add(base.withStrategy(s));
            else for (int n : tiles) out.add(base.withStrategy(s).withMaxTiles(n));
        }
        return out;
    }
}
