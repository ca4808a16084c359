package org.tessera.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.tessera.eval.Evaluation;
import org.tessera.eval.Kind;
import org.tessera.eval.Scorer;
import org.tessera.eval.Scores;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Datasets;
import org.tessera.eval.data.OnError;
import org.tessera.eval.data.Sample;
import org.tessera.eval.report.Report;
import org.tessera.eval.run.PredictionStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera eval score}: scores predictions made anywhere, as VLMEvalKit would. No model needed. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score predictions (JSONL lines {\"index\": ..., \"prediction\": ...}) against a benchmark file, as VLMEvalKit does.",
                "Example: tessera eval score --data ChartQA_TEST.tsv --kind chartqa --predictions preds.jsonl --json"})
public final class EvalScoreCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", required = true, description = "Benchmark file with answers: VLMEvalKit .tsv or .jsonl.")
    Path data;

    @Option(names = "--kind", paramLabel = "K", required = true, description = "Benchmark kind (sets the metric): ${COMPLETION-CANDIDATES}.",
            completionCandidates = EvalCommand.KindNames.class)
    String kind;

    @Option(names = "--predictions", paramLabel = "FILE", required = true, description = "JSONL predictions, one {\"index\": ..., \"prediction\": ...} a line (tessera eval's predictions.jsonl works).")
    Path predictions;

    @Option(names = "--json", description = "Print one JSON line: score (0-100), the per-split / per-category scores, and counts.")
    boolean json;

    @Option(names = "--on-error", paramLabel = "fail|skip", defaultValue = "fail", description = "Malformed data rows: stop (fail, default) or leave them out (skip).")
    String onError;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Kind k = Kind.parse(kind);
        if (!Files.isRegularFile(predictions)) throw new IllegalArgumentException("no predictions file " + predictions);
        Dataset d = Datasets.load(data, k, EvalCommand.onError(onError), true);
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        EvalCommand.warnSkipped(err, d.problems(), "malformed rows", "");
        PredictionStore.Loaded loaded = PredictionStore.load(predictions);
        if (loaded.droppedLine() > 0) {
            err.println("tessera: warning: " + predictions + ":" + loaded.droppedLine() + ": the last line is cut off; left out");
        }
        Map<String, String> preds = Evaluation.texts(loaded.predictions());
        // VLMEvalKit: the predictions must be the benchmark or a subset of it.
        Set<String> known = new HashSet<>();
        for (Sample s : d.samples()) known.add(s.index());
        Set<String> left = new HashSet<>();
        for (var p : d.problems()) if (p.index() != null) left.add(p.index());
        List<String> unknown = new ArrayList<>();
        for (String i : preds.keySet()) if (!known.contains(i) && !left.contains(i)) unknown.add(i);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(unknown.size() + " predictions have an index that is not in " + data + " (first: "
                    + String.join(", ", unknown.subList(0, Math.min(5, unknown.size()))) + ")");
        }
        Scores s = Scorer.score(k, d, preds);
        if (s.scored() == 0) throw new IllegalArgumentException("no prediction matches a row of " + data);
        if (s.missing() > 0) {
            err.println("tessera: warning: " + s.missing() + " of " + d.size() + " rows have no prediction; the score covers the "
                    + (d.size() - s.missing()) + " that do");
        }
        err.flush();
        if (json) o.println(Report.scoresJson(s).toString());
        else o.print(Report.markdown(s, k.title + " — " + predictions.getFileName()));
        o.flush();
        return 0;
    }
}
