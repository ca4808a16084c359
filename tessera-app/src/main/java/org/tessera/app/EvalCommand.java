package org.tessera.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.api.VisionLanguageModel;
import org.tessera.eval.Evaluation;
import org.tessera.eval.Kind;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Datasets;
import org.tessera.eval.data.OnError;
import org.tessera.eval.data.RowProblem;
import org.tessera.eval.report.Report;
import org.tessera.eval.report.SweepReport;
import org.tessera.eval.report.SweepRow;
import org.tessera.eval.run.EvalRunner;
import org.tessera.eval.run.ProgressBar;
import org.tessera.eval.run.RunSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera eval}: runs a model over a benchmark (VLMEvalKit TSV or JSONL) with the InternVL wrapper's prompts
 * and tile budgets, greedy, storing answers as they come (a rerun continues), then scores them as VLMEvalKit does;
 * {@code --sweep} runs an ablation over strategies and tile limits. {@code tessera eval score} scores predictions
 * made anywhere.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = EvalScoreCommand.class,
        description = {"Run a model over a benchmark and score it as VLMEvalKit does (resumable).",
                "Example: tessera eval --model models/InternVL2-1B --data DocVQA_VAL.tsv --kind docvqa --limit 200",
                "Ablation: tessera eval ... --sweep max-tiles=1,6,12 strategy=internvl,catty",
                "Scoring only: tessera eval score --data DocVQA_VAL.tsv --kind docvqa --predictions preds.jsonl"})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "FILE", description = "Benchmark file: VLMEvalKit .tsv, or .jsonl (image path, question, answers).")
    Path data;

    @Option(names = "--kind", paramLabel = "K", description = "Benchmark kind, which sets the prompt, tile budget and metric: ${COMPLETION-CANDIDATES}.",
            completionCandidates = KindNames.class)
    String kind;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N questions (MMBench: N questions with all their rotations).")
    Integer limit;

    @Option(names = "--strategy", paramLabel = "NAME", description = "Tiling: internvl (default, as VLMEvalKit's InternVL wrapper), catty, fixed.")
    String strategy;

    @Option(names = "--max-tiles", paramLabel = "N", description = "Most local tiles per question (default: the wrapper's per benchmark: DocVQA 18, InfoVQA and OCRBench 24, ChartQA and OCRVQA 12, others 6).")
    Integer maxTiles;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens per answer (default: 10 for TextVQA and multiple choice, else 100).")
    Integer maxNewTokens;

    @Option(names = "--out", paramLabel = "DIR", description = "Where predictions and reports go (default: eval-results/MODEL/DATA-KIND). A rerun with the same folder continues.")
    Path out;

    @Option(names = "--on-error", paramLabel = "fail|skip", description = "A malformed row or one the model cannot run: stop (fail, default) or leave it out and report it (skip).",
            defaultValue = "fail")
    String onError;

    @Option(names = "--sweep", paramLabel = "AXIS=V1,V2", arity = "1..*",
            description = "Run an ablation: every combination of the axes given (max-tiles=1,6,12 strategy=internvl,catty); one table and a PNG plot of score against image tokens.")
    List<String> sweep = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Lists the kinds for --help. */
    static final class KindNames extends ArrayList<String> {
        KindNames() {
            for (Kind k : Kind.values()) add(k.id);
        }
    }

    static Kind kind(String k, Path data) {
        if (data == null || k == null) {
            throw new IllegalArgumentException("eval needs --data FILE and --kind K (one of " + Kind.names() + ")");
        }
        return Kind.parse(k);
    }

    static OnError onError(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "fail" -> OnError.FAIL;
            case "skip" -> OnError.SKIP;
            default -> throw new IllegalArgumentException("--on-error must be fail or skip, got '" + s + "'");
        };
    }

    /** Warns on stderr about rows left out under --on-error skip. */
    static void warnSkipped(PrintWriter err, List<RowProblem> problems, String what) {
        warnSkipped(err, problems, what, " (listed in report.json)");
    }

    static void warnSkipped(PrintWriter err, List<RowProblem> problems, String what, String where) {
        if (problems.isEmpty()) return;
        if (problems.size() == 1) what = what.replace("rows", "row").replace("questions", "question");
        err.println("tessera: warning: " + problems.size() + " " + what + " left out" + where + "; first: " + problems.get(0));
        err.flush();
    }

    @Override
    public Integer call() throws IOException {
        Kind k = kind(kind, data);
        OnError policy = onError(onError);
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        Path modelDir = modelOptions.resolve(System.getenv()).toAbsolutePath().normalize();
        Dataset d = Datasets.load(data, k, policy, false);
        if (limit != null) d = Datasets.limit(d, k, limit);
        if (d.size() == 0) throw new IllegalArgumentException(data + ": no questions to run");
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        warnSkipped(err, d.problems(), "malformed rows");
        RunSettings base = new RunSettings(k, strategy, maxTiles, maxNewTokens != null ? maxNewTokens : k.maxNewTokens);
        Path dir = out != null ? out : Path.of("eval-results", modelDir.getFileName().toString(), stem(data) + "-" + k.id);
        boolean terminal = Progress.terminal();
        try (VisionLanguageModel vlm = modelOptions.load(new ImageInputOptions())) {
            if (sweep.isEmpty()) {
                Evaluation.Outcome r = Evaluation.run(vlm, modelDir.toString(), d, base, dir, policy,
                        new ProgressBar(System.err, terminal, k.id));
                warnSkipped(err, r.run().skipped(), "questions the model could not run");
                o.print(r.markdown());
                o.println("\nreport: " + dir.resolve(Report.MARKDOWN_FILE) + " and " + Report.JSON_FILE + "; predictions: "
                        + dir.resolve(EvalRunner.PREDICTIONS));
                o.flush();
                return 0;
            }
            List<RunSettings> grid = Evaluation.sweep(base, sweep);
            List<SweepRow> rows = new ArrayList<>();
            for (int i = 0; i < grid.size(); i++) {
                RunSettings s = grid.get(i);
                String label = String.format(Locale.ROOT, "%d/%d %s", i + 1, grid.size(), s.label());
                if (!terminal) {
                    err.println("tessera: " + label);
                    err.flush();
                }
                Evaluation.Outcome r = Evaluation.run(vlm, modelDir.toString(), d, s, dir.resolve(s.folderName()), policy,
                        new ProgressBar(System.err, terminal, label));
                warnSkipped(err, r.run().skipped(), "questions the model could not run");
                rows.add(new SweepRow(s, r.usage(), r.scores() == null ? Double.NaN : r.scores().score()));
            }
            String title = k.title + " — " + modelDir.getFileName() + " — " + d.size() + " questions";
            String note = SweepReport.write(dir, k, rows, title);
            o.print(SweepReport.markdown(k, rows, title));
            o.println();
            o.println("table: " + dir.resolve(SweepReport.MARKDOWN_FILE) + " and " + SweepReport.JSON_FILE
                    + (note == null ? "; plot: " + dir.resolve(SweepReport.PLOT_FILE) : "; " + note));
            o.flush();
            return 0;
        }
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
