package org.tessera.data.convert;

import java.nio.file.Path;
import java.util.Locale;

/** The input file kinds {@code data convert} reads. */
public enum InputFormat {
    /** Comma-separated values with a header row (RFC 4180 quoting). */
    CSV,
    /** One JSON object per line. */
    JSONL,
    /** A COCO detection file: {@code images}, {@code annotations} (bbox = [x, y, w, h] in pixels), {@code categories}. */
    COCO;

    /** From the file name: {@code .csv}, {@code .jsonl}/{@code .ndjson}, {@code .json} (COCO). */
    public static InputFormat detect(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv")) return CSV;
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return JSONL;
        if (n.endsWith(".json")) return COCO;
        throw new IllegalArgumentException(file + ": cannot tell the input format from the name (.csv, .jsonl or COCO .json); pass --format");
    }

    public static InputFormat parse(String s) {
        for (InputFormat f : values()) if (f.name().equalsIgnoreCase(s)) return f;
        throw new IllegalArgumentException("unknown input format '" + s + "' (known: csv, jsonl, coco)");
    }
}
