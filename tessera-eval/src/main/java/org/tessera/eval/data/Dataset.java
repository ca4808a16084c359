package org.tessera.eval.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The rows of a benchmark file that can be used, and the problems of those that cannot.
 *
 * @param file        the file read
 * @param samples     usable rows, in file order
 * @param problems    rows left out, with their lines
 * @param hasSplit    the file has a split column
 * @param hasCategory the file has a category column
 * @param hasL2       the file has an l2-category column
 */
public record Dataset(Path file, List<Sample> samples, List<RowProblem> problems, boolean hasSplit, boolean hasCategory,
                      boolean hasL2) {
    public Dataset {
        samples = List.copyOf(samples);
        problems = List.copyOf(problems);
    }

    public Dataset withSamples(List<Sample> s, List<RowProblem> p) {
        return new Dataset(file, s, p, hasSplit, hasCategory, hasL2);
    }

    public int size() {
        return samples.size();
    }
}
