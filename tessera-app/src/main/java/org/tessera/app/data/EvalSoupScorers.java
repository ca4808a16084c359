package org.tessera.app.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.tessera.api.VisionLanguageModel;
import org.tessera.data.soup.SoupScorer;
import org.tessera.eval.Evaluation;
import org.tessera.eval.Kind;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Datasets;
import org.tessera.eval.data.OnError;
import org.tessera.eval.run.ProgressBar;
import org.tessera.eval.run.RunSettings;

/**
 * Lets {@code tessera soup --method greedy|best} rank checkpoints by a benchmark score from the evaluation runner:
 * every {@code tessera eval} kind ({@code --kind docvqa}, {@code chartqa}, …) becomes a soup scorer over
 * {@code --eval-data}. Registered as a service so tessera-data needs no dependency on tessera-eval.
 */
public final class EvalSoupScorers implements SoupScorer.Factory {

    @Override
    public List<String> kinds() {
        return Arrays.stream(Kind.values()).map(k -> k.id).toList();
    }

    @Override
    public SoupScorer create(String kind, Path evalData) {
        Kind k = Kind.parse(kind);
        return new SoupScorer() {
            @Override
            public double score(Path dir) {
                try (VisionLanguageModel vlm = VisionLanguageModel.load(dir)) {
                    Dataset data = Datasets.load(evalData, k, OnError.FAIL, true);
                    Path work = Files.createTempDirectory("tessera-soup-eval");
                    try {
                        Evaluation.Outcome o = Evaluation.run(vlm, dir.toString(), data, RunSettings.defaults(k), work, OnError.FAIL,
                                ProgressBar.silent());
                        if (o.scores() == null) throw new IllegalArgumentException(evalData + ": has no answers to score against");
                        return o.scores().score();
                    } finally {
                        deleteTree(work);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(evalData + ": " + e.getMessage(), e);
                }
            }

            @Override
            public boolean higherIsBetter() {
                return true;
            }

            @Override
            public String describe() {
                return k.title + " " + k.metric.label + " on " + evalData.getFileName();
            }
        };
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
