package org.tessera.synth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a sample shows. MIXED picks one of the four others per sample. */
public enum Kind {
    RECEIPTS, DOCUMENTS, TABLES, CHARTS, MIXED;

    /** The kinds a sample can actually have. */
    public static final List<Kind> CONCRETE = List.of(RECEIPTS, DOCUMENTS, TABLES, CHARTS);

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Kind parse(String s) {
        for (Kind k : values()) {
            if (k.label().equals(s.trim().toLowerCase(Locale.ROOT))) return k;
        }
        throw new IllegalArgumentException("unknown kind '" + s + "': expected one of "
                + Arrays.stream(values()).map(Kind::label).collect(Collectors.joining(", ")));
    }
}
