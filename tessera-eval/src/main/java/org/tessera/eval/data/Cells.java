package org.tessera.eval.data;

import java.math.BigInteger;
import java.util.Set;

/** How cell values are read, following pandas' {@code read_csv} defaults where VLMEvalKit relies on them. */
final class Cells {
    private Cells() {}

    /** pandas' default missing-value strings: an option or hint cell holding exactly one of these is absent. */
    static final Set<String> NA = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
            "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

    static boolean isNa(String cell) {
        return cell == null || NA.contains(cell);
    }

    /** Integer indices in canonical form (pandas reads "007" as 7); anything else as written. */
    static String canonicalIndex(String raw) {
        String t = raw.strip();
        if (t.matches("[+-]?[0-9]+")) return new BigInteger(t).toString();
        return raw;
    }
}
