package org.tessera.eval.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.eval.py.PyLiteral;
import org.tessera.eval.py.PyStr;

/**
 * VLMEvalKit's benchmark TSV files: a header row naming the columns, then one row per question, tab-separated, UTF-8.
 *
 * <p>Cells follow pandas' reading: a cell that starts with {@code "} is quoted (it may hold tabs and newlines,
 * {@code ""} is a quote); blank lines are skipped; a BOM is ignored. Columns: {@code index} (unique), {@code image}
 * (base64; a value of at most 64 characters is the {@code index} of another row whose image it reuses; a Python
 * list literal is several images), {@code image_path} (used when there is no {@code image} column; relative to the
 * file), {@code question}, {@code hint}, option columns {@code A}..{@code Z}, {@code answer} (a Python list literal is
 * several answers), {@code category}, {@code l2-category}, {@code split}. Option and hint cells holding pandas'
 * missing-value spellings ("", "nan", "None", "NA", ...) are absent, as in VLMEvalKit.
 *
 * <p>Base64 cells are not held in memory: only their position in the file is kept.
 */
public final class TsvReader {
    private final Path file;
    private final In in;
    private int imageColumn = -1;

    private TsvReader(Path file, InputStream stream) {
        this.file = file;
        this.in = new In(stream);
    }

    /** Reads {@code file}; rows that cannot be used are returned as problems, not thrown. */
    public static Dataset read(Path file) throws IOException {
        try (InputStream s = Files.newInputStream(file)) {
            return new TsvReader(file, s).readAll();
        }
    }

    /** One cell: its text, or for a long unquoted image cell only where it lies in the file. */
    private record Cell(String text, long offset, long length) {
        boolean isSlice() { return text == null; }
    }

    private Dataset readAll() throws IOException {
        List<Cell> header = readRecord();
        if (header == null) throw new DatasetException(file + ": the file is empty", List.of());
        List<String> names = new ArrayList<>();
        for (Cell c : header) names.add(c.text());
        if (!names.isEmpty() && names.get(0).startsWith("\uFEFF")) names.set(0, names.get(0).substring(1));
        Map<String, Integer> col = new HashMap<>();
        for (int k = 0; k < names.size(); k++) col.putIfAbsent(names.get(k), k);
        for (String need : List.of("index", "question")) {
            if (!col.containsKey(need)) {
                throw new DatasetException(file + ": no '" + need + "' column (the header has: " + String.join(", ", names)
                        + "); is this a VLMEvalKit TSV file?", List.of());
            }
        }
        imageColumn = col.getOrDefault("image", -1);
        List<String> letters = new ArrayList<>();
        for (char c = 'A'; c <= 'Z'; c++) if (col.containsKey(String.valueOf(c))) letters.add(String.valueOf(c));

        List<Raw> raws = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        while (true) {
            int line = in.line;
            List<Cell> cells = readRecord();
            if (cells == null) break;
            if (cells.size() == 1 && cells.get(0).text() != null && cells.get(0).text().isEmpty()) continue; // blank line
            String index = cells.size() > col.get("index") ? text(cells.get(col.get("index"))) : null;
            if (cells.size() != names.size()) {
                problems.add(new RowProblem(file, line, index, "has " + cells.size() + " fields, the header has " + names.size()
                        + (cells.size() < names.size() ? " (a truncated row?)" : " (an unquoted tab?)")));
                continue;
            }
            raws.add(new Raw(line, cells));
        }

        // Index map for image reuse, then the samples.
        Map<String, Raw> byIndex = new LinkedHashMap<>();
        for (Raw r : raws) {
            r.index = Cells.canonicalIndex(text(r.cells.get(col.get("index"))));
            if (r.index.isEmpty()) {
                problems.add(new RowProblem(file, r.line, null, "empty index"));
                r.bad = true;
            } else if (byIndex.putIfAbsent(r.index, r) != null) {
                problems.add(new RowProblem(file, r.line, r.index, "duplicate index (also on line " + byIndex.get(r.index).line + ")"));
                r.bad = true;
            }
        }
        List<Sample> samples = new ArrayList<>();
        for (Raw r : raws) {
            if (r.bad) continue;
            try {
                samples.add(sample(r, col, letters, byIndex));
            } catch (IllegalArgumentException e) {
                problems.add(new RowProblem(file, r.line, r.index, e.getMessage()));
            }
        }
        problems.sort(java.util.Comparator.comparingInt(RowProblem::line));
        return new Dataset(file, samples, problems, col.containsKey("split"), col.containsKey("category"), col.containsKey("l2-category"));
    }

    private static final class Raw {
        final int line;
        final List<Cell> cells;
        String index;
        boolean bad;

        Raw(int line, List<Cell> cells) {
            this.line = line;
            this.cells = cells;
        }
    }

    private static String text(Cell c) {
        if (c.isSlice()) throw new IllegalStateException("an image cell read as text");
        return c.text();
    }

    private Sample sample(Raw r, Map<String, Integer> col, List<String> letters, Map<String, Raw> byIndex) {
        String question = cell(r, col, "question");
        if (question == null || question.isEmpty()) throw new IllegalArgumentException("empty question");
        Map<String, String> options = new LinkedHashMap<>();
        for (String l : letters) {
            String v = cell(r, col, l);
            if (!Cells.isNa(v)) options.put(l, v);
        }
        String hint = cell(r, col, "hint");
        if (Cells.isNa(hint)) hint = null;
        String answer = cell(r, col, "answer");
        if (answer != null && answer.isEmpty()) answer = null;
        List<String> answerList = answer == null ? null : PyLiteral.stringList(answer);
        return new Sample(r.index, r.line, images(r, col, byIndex), question, hint, options, answer, answerList,
                label(cell(r, col, "category")), label(cell(r, col, "l2-category")), label(cell(r, col, "split")));
    }

    private static String label(String v) {
        return Cells.isNa(v) ? null : v;
    }

    private String cell(Raw r, Map<String, Integer> col, String name) {
        Integer k = col.get(name);
        if (k == null) return null;
        Cell c = r.cells.get(k);
        if (c.isSlice()) throw new IllegalStateException("column " + name + " was not read as text");
        return c.text();
    }

    private List<ImageRef> images(Raw r, Map<String, Integer> col, Map<String, Raw> byIndex) {
        if (imageColumn >= 0) {
            Cell c = r.cells.get(imageColumn);
            if (c.isSlice()) return List.of(new ImageRef.Base64Slice(file, c.offset(), c.length()));
            String v = c.text();
            if (Cells.isNa(v)) throw new IllegalArgumentException("empty image cell");
            if (PyStr.len(v) <= 64) { // the index of another row whose image this row reuses
                Raw target = byIndex.get(Cells.canonicalIndex(v));
                if (target == null) throw new IllegalArgumentException("the image cell '" + v + "' names no row's index");
                Cell t = target.cells.get(imageColumn);
                if (!t.isSlice() && PyStr.len(t.text()) <= 64) {
                    throw new IllegalArgumentException("the image cell '" + v + "' names row " + target.index
                            + ", which has no image of its own (line " + target.line + ")");
                }
                return images(target, col, byIndex);
            }
            return list(v, true);
        }
        Integer p = col.get("image_path");
        if (p != null) {
            String v = r.cells.get(p).text();
            if (Cells.isNa(v)) throw new IllegalArgumentException("empty image_path cell");
            return list(v, false);
        }
        return List.of();
    }

    /** VLMEvalKit's {@code toliststr}: a list literal is several values, anything else one. */
    private List<ImageRef> list(String v, boolean base64) {
        List<String> items;
        if (PyStr.startsAndEndsWith(v, '[', ']')) {
            items = PyLiteral.stringList(v);
            if (items == null) throw new IllegalArgumentException("the image cell starts with '[' but is not a Python list literal");
        } else {
            items = List.of(v);
        }
        List<ImageRef> out = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        for (String s : items) out.add(base64 ? new ImageRef.Base64Text(s) : new ImageRef.FileRef(dir.resolve(s)));
        return out;
    }

    // ---- record parsing -------------------------------------------------------------------------------------

    /** The next record's cells, or null at the end of the file. */
    private List<Cell> readRecord() throws IOException {
        if (in.peek() < 0) return null;
        List<Cell> cells = new ArrayList<>();
        while (true) {
            boolean slice = cells.size() == imageColumn;
            int end = readCell(cells, slice);
            if (end != '\t') return cells;
        }
    }

    /** Reads one cell into {@code cells}; returns what ended it: tab, newline or -1. */
    private int readCell(List<Cell> cells, boolean slice) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long start = in.pos;
        boolean quoted = in.peek() == '"';
        if (quoted) {
            in.read();
            while (true) {
                int b = in.read();
                if (b < 0) throw new DatasetException(file + ":" + in.line + ": a quoted cell is not closed before the end of the file", List.of());
                if (b == '"') {
                    if (in.peek() == '"') {
                        in.read();
                        buf.write('"');
                        continue;
                    }
                    break;
                }
                if (b == '\n') in.line++;
                buf.write(b);
            }
        }
        // Unquoted text (or what follows a closing quote, which pandas keeps).
        long length = 0;
        byte[] head = new byte[65];
        int end;
        while (true) {
            int b = in.read();
            if (b < 0) { end = -1; break; }
            if (b == '\t') { end = '\t'; break; }
            if (b == '\n') { in.line++; end = '\n'; break; }
            if (b == '\r' && in.peek() == '\n') { in.read(); in.line++; end = '\n'; break; }
            if (slice && !quoted) {
                if (length < head.length) head[(int) length] = (byte) b;
                length++;
            } else {
                buf.write(b);
            }
        }
        if (slice && !quoted) {
            // Long unquoted image cells stay in the file; short ones (index references) and lists are read as text.
            boolean list = length > 0 && head[0] == '[';
            if (length > 64 && !list) {
                cells.add(new Cell(null, start, length));
                return end;
            }
            cells.add(new Cell(list ? sliceText(start, length) : new String(head, 0, (int) Math.min(length, 65), StandardCharsets.UTF_8),
                    start, length));
            return end;
        }
        cells.add(new Cell(buf.toString(StandardCharsets.UTF_8), start, buf.size()));
        return end;
    }

    private String sliceText(long offset, long length) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.toIntExact(length));
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) { }
            return new String(b.array(), StandardCharsets.UTF_8);
        }
    }

    /** A byte reader that knows its offset and line. */
    private static final class In {
        private final InputStream s;
        private final byte[] buf = new byte[1 << 16];
        private int n, p;
        long pos;
        int line = 1;

        In(InputStream s) {
            this.s = s;
        }

        int peek() throws IOException {
            if (p == n) {
                n = s.read(buf, 0, buf.length);
                p = 0;
                if (n <= 0) {
                    n = 0;
                    return -1;
                }
            }
            return buf[p] & 0xFF;
        }

        int read() throws IOException {
            int b = peek();
            if (b >= 0) {
                p++;
                pos++;
            }
            return b;
        }
    }
}
