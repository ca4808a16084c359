package org.tessera.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tessera.api.Answer;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Sampling;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.ImageRef;
import org.tessera.eval.data.OnError;
import org.tessera.eval.data.RowProblem;
import org.tessera.eval.data.Sample;
import org.tessera.vision.tiling.TilePlan;

/**
 * Runs a model over a benchmark, one question at a time, greedy, with the InternVL wrapper's prompt and tile budget.
 * Answers go to {@code predictions.jsonl} in the output folder as they come, so a stopped run continues where it
 * stopped when started again with the same settings ({@code run.json} records them; other settings are refused
 * rather than mixed into the same file).
 */
public final class EvalRunner {
    public static final String PREDICTIONS = "predictions.jsonl";
    public static final String SETTINGS = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalRunner() {}

    /**
     * What a run left.
     *
     * @param settings    how it ran
     * @param dir         its folder
     * @param predictions every prediction in the folder (earlier sessions' included)
     * @param skipped     questions the model could not run (bad image, ...) under {@link OnError#SKIP}
     * @param answered    questions answered in this session
     */
    public record Result(RunSettings settings, Path dir, Map<String, Prediction> predictions, List<RowProblem> skipped, int answered) {}

    /** The request for one question. */
    public static Request request(Sample s, RunSettings settings) {
        List<ImageInput> images = new ArrayList<>();
        int k = 0;
        for (ImageRef r : s.images()) images.add(r.input("row " + s.index() + (s.images().size() > 1 ? " image " + (++k) : "")));
        Tiling tiling = new Tiling(settings.strategy(), settings.maxTilesFor(images.size()), 1, Boolean.TRUE, null);
        return Request.of(settings.kind().prompt(s)).withImages(images).withTiling(tiling)
                .withSampling(Sampling.greedy(settings.maxNewTokens()));
    }

    /**
     * Answers every question of {@code data} that {@code dir} has no prediction for yet. {@code model} names the
     * model in run.json, which a later run must match.
     */
    public static Result run(VisionLanguageModel vlm, String model, Dataset data, RunSettings settings, Path dir, OnError onError,
                             ProgressBar bar) throws IOException {
        Files.createDirectories(dir);
        checkSettings(dir, model, data, settings);
        List<RowProblem> skipped = new ArrayList<>();
        int answered = 0;
        try (PredictionStore store = PredictionStore.open(dir.resolve(PREDICTIONS))) {
            int done = (int) data.samples().stream().filter(s -> store.has(s.index())).count();
            bar.start(data.size(), done);
            try {
                for (Sample s : data.samples()) {
                    if (store.has(s.index())) continue;
                    long t0 = System.nanoTime();
                    Answer a;
                    try {
                        a = vlm.ask(request(s, settings));
                    } catch (RuntimeException e) {
                        RowProblem p = new RowProblem(data.file(), s.line(), s.index(),
                                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                        if (onError == OnError.FAIL) {
                            throw new IllegalArgumentException(p + " (--on-error skip goes on without it)", e);
                        }
                        skipped.add(p);
                        bar.step();
                        continue;
                    }
                    int imageTokens = a.plans().stream().mapToInt(TilePlan::imageTokens).sum();
                    store.append(new Prediction(s.index(), a.text(), a.tiles(), imageTokens, a.promptTokens(), a.completionTokens(),
                            (System.nanoTime() - t0) / 1e9));
                    answered++;
                    bar.step();
                }
            } finally {
                bar.finish();
            }
            return new Result(settings, dir, store.predictions(), skipped, answered);
        }
    }

    private static void checkSettings(Path dir, String model, Dataset data, RunSettings settings) throws IOException {
        Path f = dir.resolve(SETTINGS);
        ObjectNode now = settings.toJson(JSON);
        now.put("model", model);
        now.put("data", data.file().toAbsolutePath().normalize().toString());
        if (Files.exists(f)) {
            JsonNode stored = JSON.readTree(f.toFile());
            List<String> d = settings.differences(stored);
            RunSettings.diff(d, "model", stored.path("model").asText(), model);
            RunSettings.diff(d, "data", stored.path("data").asText(), now.get("data").asText());
            if (!d.isEmpty()) {
                throw new IllegalArgumentException(dir + " holds predictions made with other settings (" + String.join(", ", d)
                        + "): use another --out folder, or delete " + f + " and " + PREDICTIONS + " to start over");
            }
            return;
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), now);
    }
}
