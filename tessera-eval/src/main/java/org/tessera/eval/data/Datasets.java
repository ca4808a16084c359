package org.tessera.eval.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.tessera.eval.Kind;

/** Reading a benchmark file for a kind: the format by extension, the kind's checks, and what to do with bad rows. */
public final class Datasets {
    private Datasets() {}

    /**
     * Reads {@code file} (.tsv: VLMEvalKit's format; .jsonl / .json: one object a line). Rows that are malformed, or
     * wrong for {@code kind}, or (when {@code needAnswers}) without an answer, make the whole read fail under
     * {@link OnError#FAIL}, and are left out (listed in {@link Dataset#problems}) under {@link OnError#SKIP}.
     */
    public static Dataset load(Path file, Kind kind, OnError onError, boolean needAnswers) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no data file " + file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Dataset d;
        if (name.endsWith(".tsv")) d = TsvReader.read(file);
        else if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) d = JsonlReader.read(file);
        else throw new IllegalArgumentException(file + ": expected a .tsv (VLMEvalKit) or .jsonl file");
        List<Sample> ok = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>(d.problems());
        for (Sample s : d.samples()) {
            String why = kind.check(s);
            if (why == null && needAnswers && !s.hasAnswer()) why = "no answer to score against";
            if (why != null) problems.add(new RowProblem(file, s.line(), s.index(), why));
            else ok.add(s);
        }
        problems.sort(java.util.Comparator.comparingInt(RowProblem::line));
        if (needAnswers && ok.isEmpty() && problems.stream().allMatch(p -> p.message().equals("no answer to score against"))
                && !problems.isEmpty()) {
            throw new DatasetException(file + " has no answers (a TEST split is scored by its benchmark's server, not locally)", problems);
        }
        if (!problems.isEmpty() && onError == OnError.FAIL) throw DatasetException.of(file.toString(), problems);
        return d.withSamples(ok, problems);
    }

    /**
     * The first {@code n} questions. For CircularEval a question is a group: the first {@code n} rows whose index is
     * their own group index, with all their rotations.
     */
    public static Dataset limit(Dataset d, Kind kind, int n) {
        if (n >= d.size() && kind.metric != Kind.Metric.CIRCULAR_CHOICE) return d;
        if (kind.metric != Kind.Metric.CIRCULAR_CHOICE) return d.withSamples(d.samples().subList(0, n), d.problems());
        Set<Long> groups = new LinkedHashSet<>();
        for (Sample s : d.samples()) {
            if (groups.size() >= n) break;
            if (Long.parseLong(s.index()) == s.groupIndex()) groups.add(s.groupIndex());
        }
        List<Sample> keep = new ArrayList<>();
        for (Sample s : d.samples()) if (groups.contains(s.groupIndex())) keep.add(s);
        return d.withSamples(keep, d.problems());
    }
}
