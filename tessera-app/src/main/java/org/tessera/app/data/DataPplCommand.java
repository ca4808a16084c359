package org.tessera.app.data;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.api.VisionLanguageModel;
import org.tessera.app.ModelOptions;
import org.tessera.data.ppl.Perplexity;
import org.tessera.data.ppl.PerplexityFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera data ppl}: POINTS' perplexity filter over image-caption pairs. */
@Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score every image-caption pair by the caption's perplexity given the image and keep the lowest.",
                "Input lines: {\"image\": PATH, \"caption\": TEXT, ...}. Output: kept.jsonl and dropped.jsonl (the input's fields plus \"ppl\", ascending) and the resumable journal scores.jsonl.",
                "Example: tessera data ppl --model models/InternVL2_5-1B --in captions.jsonl --keep 0.2 --out filtered/"})
public final class DataPplCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "JSONL of image-caption pairs.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (rerun with the same one to resume).")
    Path out;

    @Option(names = "--keep", paramLabel = "FRACTION", defaultValue = "0.2", description = "Fraction kept, lowest perplexity first (default: ${DEFAULT-VALUE}).")
    double keep;

    @Option(names = "--images", paramLabel = "DIR", description = "Directory relative image paths are in (default: the input file's directory).")
    Path images;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The question the caption answers (default: POINTS' \"" + Perplexity.POINTS_PROMPT + "\").")
    String prompt;

    @Option(names = "--score-end", description = "Also score the end-of-turn token after the caption, as POINTS' script does.")
    boolean scoreEnd;

    @Option(names = "--max-tiles", paramLabel = "N", description = "Most local tiles per image (default: the model's max_dynamic_patch).")
    Integer maxTiles;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0", description = "Pairs scored at once (default 0: as many as memory allows, at most a quarter of the cores).")
    int workers;

    @Option(names = "--on-error", paramLabel = "MODE", defaultValue = "fail", description = "Pairs that cannot be scored: fail (default) or skip (listed in rejected.jsonl).")
    String onError;

    @Option(names = "--restart", description = "Ignore (and replace) the journal of an earlier run in --out.")
    boolean restart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path dir = modelOptions.resolve(System.getenv());
        PerplexityFilter.Options o = new PerplexityFilter.Options(in, out);
        o.keep = keep;
        o.images = images;
        if (prompt != null) o.prompt = prompt;
        o.scoreEnd = scoreEnd;
        o.maxTiles = maxTiles;
        o.workers = workers;
        o.onError = DataConvertCommand.onError(onError);
        o.restart = restart;
        o.modelName = dir.toAbsolutePath().normalize().toString() + (modelOptions.int8Llm ? " (int8)" : "");
        PerplexityFilter.Result r;
        try (VisionLanguageModel vlm = VisionLanguageModel.load(dir, VisionLanguageModel.Options.defaults().withInt8Llm(modelOptions.int8Llm))) {
            r = PerplexityFilter.run(vlm, o, System.err);
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "scored %d pairs (%d now with %d worker%s, %d from the journal)%n", r.kept() + r.dropped(),
                r.scoredNow(), r.workers(), r.workers() == 1 ? "" : "s", r.resumed());
        pw.printf(Locale.ROOT, "kept %d%s -> %s%n", r.kept(), r.threshold() == null ? "" : String.format(Locale.ROOT, " (ppl <= %.6g)", r.threshold()),
                out.resolve("kept.jsonl"));
        pw.printf(Locale.ROOT, "dropped %d -> %s%n", r.dropped(), out.resolve("dropped.jsonl"));
        if (r.rejected() > 0) pw.printf(Locale.ROOT, "left out %d pair%s that could not be scored -> %s%n", r.rejected(),
                r.rejected() == 1 ? "" : "s", out.resolve("rejected.jsonl"));
        pw.flush();
        return 0;
    }
}
