package org.tessera.data.convert;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;

/**
 * Reads CSV (header row required) and JSONL rows, with their places, renaming columns as {@code --column} asks.
 * Rows that cannot even be read (a CSV record with the wrong number of fields, a JSONL line that is not an object)
 * go to {@code problems} with their place.
 */
public final class RowReader {
    private RowReader() {}

    /**
     * @param columns    field name the converter expects → column name in the input ({@code --column image=path})
     * @param problems   receives (place, reason) of unreadable rows
     */
    public static List<Row> read(Path file, InputFormat format, Map<String, String> columns, BiConsumer<String, String> problems) {
        List<Row> rows = switch (format) {
            case CSV -> readCsv(file, problems);
            case JSONL -> readJsonl(file, problems);
            case COCO -> throw new IllegalArgumentException("COCO files are read by the grounding task");
        };
        if (!columns.isEmpty()) {
            for (Row r : rows) {
                for (Map.Entry<String, String> c : columns.entrySet()) {
                    if (r.fields().has(c.getValue())) r.fields().set(c.getKey(), r.fields().get(c.getValue()));
                }
            }
        }
        return rows;
    }

    private static List<Row> readJsonl(Path file, BiConsumer<String, String> problems) {
        List<Row> rows = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.read(file, problems)) {
            rows.add(new Row(file.getFileName() + ":" + l.number(), rows.size(), l.value()));
        }
        return rows;
    }

    static String readUtf8(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new DataException(file + ": not valid UTF-8");
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Row> readCsv(Path file, BiConsumer<String, String> problems) {
        String text = readUtf8(file);
        int[] lineStarts = lineStarts(text);
        CSVFormat fmt = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).setIgnoreEmptyLines(true).build();
        List<Row> rows = new ArrayList<>();
        String name = file.getFileName().toString();
        try (CSVParser p = CSVParser.parse(new StringReader(text), fmt)) {
            List<String> header = p.getHeaderNames();
            if (header.isEmpty()) throw new DataException(file + ": no header row (the first line names the columns)");
            var it = p.iterator();
            int lastLine = 1;
            while (true) {
                CSVRecord rec;
                try {
                    if (!it.hasNext()) break;
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    // A quoting error: the parser cannot go on past it, so the rest of the file is unreadable.
                    throw new DataException(name + ": malformed CSV after line " + lastLine + " ("
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + ")");
                }
                int line = lineOf(lineStarts, (int) rec.getCharacterPosition());
                lastLine = line;
                String place = name + ":" + line;
                if (rec.size() != header.size()) {
                    problems.accept(place, "has " + rec.size() + " field" + (rec.size() == 1 ? "" : "s") + " but the header has "
                            + header.size() + " (" + String.join(", ", header) + ")");
                    continue;
                }
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                for (int i = 0; i < header.size(); i++) {
                    String v = rec.get(i);
                    if (!v.isEmpty()) o.put(header.get(i), v);
                }
                rows.add(new Row(place, rows.size(), o));
            }
        } catch (IOException e) {
            throw new DataException(name + ": malformed CSV (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new DataException(name + ": " + e.getMessage());
        }
        return rows;
    }

    /** Offsets at which each line starts. */
    private static int[] lineStarts(String s) {
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'))) {
                if (n == starts.length) starts = Arrays.copyOf(starts, n * 2);
                starts[n++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, n);
    }

    /** 1-based line of the character at {@code pos}. */
    private static int lineOf(int[] starts, int pos) {
        int i = Arrays.binarySearch(starts, pos);
        return (i >= 0 ? i : -i - 2) + 1;
    }
}
