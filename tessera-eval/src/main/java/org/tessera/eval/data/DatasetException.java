package org.tessera.eval.data;

import java.util.List;

/** A dataset that cannot be used as it is: the message lists the problems (file:line: what). */
public final class DatasetException extends IllegalArgumentException {
    private final List<RowProblem> problems;

    public DatasetException(String message, List<RowProblem> problems) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    public List<RowProblem> problems() {
        return problems;
    }

    /** "N malformed rows in FILE (use --on-error skip to leave them out): first problems". */
    public static DatasetException of(String file, List<RowProblem> problems) {
        StringBuilder b = new StringBuilder();
        b.append(problems.size()).append(problems.size() == 1 ? " malformed row in " : " malformed rows in ").append(file)
                .append(" (--on-error skip leaves them out):");
        int shown = Math.min(5, problems.size());
        for (int k = 0; k < shown; k++) b.append("\n  ").append(problems.get(k));
        if (problems.size() > shown) b.append("\n  ... and ").append(problems.size() - shown).append(" more");
        return new DatasetException(b.toString(), problems);
    }
}
