package org.tessera.data.ppl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.tessera.api.ImageInput;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.data.AtomicFiles;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;
import org.tessera.data.OnError;
import org.tessera.data.ProgressBar;

/**
 * {@code data ppl}: POINTS' perplexity filter. Every image–caption pair of the input ({@code {"image": PATH,
 * "caption": TEXT, …}} per line) gets the caption's {@link Perplexity} given the image; pairs are sorted by it,
 * ascending (ties in input order), and the first {@code floor(n × keep)} are kept, as POINTS' script selects
 * {@code idx[:int(len * ratio)]}.
 *
 * <p>Output in {@code --out DIR}:
 * <ul>
 *   <li>{@code kept.jsonl} and {@code dropped.jsonl}: the input's lines with {@code "ppl"} added, ascending;</li>
 *   <li>{@code scores.jsonl}: the journal, one line per scored input line ({@code {"line", "ppl", "tokens"}} or
 *       {@code {"line", "error"}}) after a header naming the input (with its SHA-256), the model, the prompt and the
 *       settings. It is appended to and flushed as pairs finish, so a killed run resumes where it stopped (a torn
 *       last line is dropped), and a finished one re-filters with another {@code --keep} without the model;</li>
 *   <li>{@code rejected.jsonl} (with {@code --on-error skip}): pairs that could not be scored, with their place.</li>
 * </ul>
 * The kept, dropped and rejected files are written atomically once all pairs are scored.
 */
public final class PerplexityFilter {
    static final String JOURNAL = "scores.jsonl";
    static final String KEPT = "kept.jsonl";
    static final String DROPPED = "dropped.jsonl";
    static final String REJECTED = "rejected.jsonl";

    /** What to run. */
    public static final class Options {
        public final Path input;
        public final Path out;
        /** Fraction kept, in (0, 1]. */
        public double keep = 0.2;
        /** Where relative image paths are; null: the input file's directory. */
        public Path images;
        public String prompt = Perplexity.POINTS_PROMPT;
        public boolean scoreEnd;
        /** Tiles per image at most; null: the checkpoint's max_dynamic_patch. */
        public Integer maxTiles;
        /** Pairs scored at once; 0: as many as memory allows (at most a quarter of the cores). */
        public int workers;
        public OnError onError = OnError.FAIL;
        /** Start over even if a journal for another input or model is there. */
        public boolean restart;
        /** Named in the journal header so a resumed run uses the same model. */
        public String modelName = "";

        public Options(Path input, Path out) {
            this.input = Objects.requireNonNull(input, "input");
            this.out = Objects.requireNonNull(out, "out");
        }
    }

    /** What a run did. */
    public record Result(int total, int kept, int dropped, int rejected, int scoredNow, int resumed, Double threshold, int workers) {}

    private PerplexityFilter() {}

    /** One journal entry: a score or an error. */
    record Entry(int line, Double ppl, int tokens, String error) {}

    /**
     * Where the input's non-blank lines are (line numbers and byte ranges), so that memory holds a few numbers per
     * pair, not the pairs: lines are read back by position when they are scored and when the outputs are written.
     */
    static final class LineIndex {
        int size;
        int[] line = new int[1024];
        long[] start = new long[1024];
        int[] length = new int[1024];

        void add(int l, long s, int n) {
            if (size == line.length) {
                line = Arrays.copyOf(line, size * 2);
                start = Arrays.copyOf(start, size * 2);
                length = Arrays.copyOf(length, size * 2);
            }
            line[size] = l;
            start[size] = s;
            length[size] = n;
            size++;
        }

        /** The index of input line {@code l}, or -1. */
        int find(int l) {
            int i = Arrays.binarySearch(line, 0, size, l);
            return i >= 0 ? i : -1;
        }

        static LineIndex of(Path file) {
            LineIndex ix = new LineIndex();
            try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                long pos = 0, lineStart = 0;
                int lineNo = 1;
                boolean blank = true;
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == '\n') {
                        if (!blank) ix.add(lineNo, lineStart, Math.toIntExact(pos - lineStart));
                        lineNo++;
                        lineStart = pos + 1;
                        blank = true;
                    } else if (b != ' ' && b != '\t' && b != '\r') {
                        blank = false;
                    }
                    pos++;
                }
                if (!blank) ix.add(lineNo, lineStart, Math.toIntExact(pos - lineStart));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new DataException(file + ": no such file");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return ix;
        }

        /** The text of entry {@code i} (a positional read: safe from several threads). */
        String text(FileChannel ch, int i) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(length[i]);
            try {
                long at = start[i];
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, at + buf.position());
                    if (n < 0) throw new IOException("the file shrank while it was read");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read line " + line[i] + ": " + e.getMessage(), e);
            }
            String s = new String(buf.array(), StandardCharsets.UTF_8);
            if (start[i] == 0 && s.startsWith("\uFEFF")) s = s.substring(1);
            return s.strip();
        }
    }

    public static Result run(VisionLanguageModel vlm, Options o, PrintStream log) {
        if (!(o.keep > 0 && o.keep <= 1)) throw new IllegalArgumentException("--keep must be in (0, 1], got " + o.keep);
        if (o.workers < 0) throw new IllegalArgumentException("--workers must be at least 1 (or 0 for automatic), got " + o.workers);
        Path root = o.images != null ? o.images : o.input.toAbsolutePath().getParent();
        String inputName = o.input.getFileName().toString();
        LineIndex ix = LineIndex.of(o.input);
        int n = ix.size;
        double[] ppls = new double[n];
        int[] tokens = new int[n];
        String[] errors = new String[n];
        boolean[] done = new boolean[n];
        Arrays.fill(ppls, Double.NaN);

        try (FileChannel input = FileChannel.open(o.input, StandardOpenOption.READ)) {
            // Everything that can be checked without the model is checked first, in file order, so a bad pair stops
            // a --on-error fail run before any scoring, and its place is always the first bad one.
            for (int i = 0; i < n; i++) {
                String why = check(input, ix, i, root);
                if (why == null) continue;
                if (o.onError == OnError.FAIL) throw new DataException(inputName + ":" + ix.line[i] + ": " + why + " (use --on-error skip to leave such pairs out)");
                errors[i] = why;
                done[i] = true;
            }
            try {
                Files.createDirectories(o.out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + o.out + ": " + e.getMessage(), e);
            }
            Tiling tiling = o.maxTiles == null ? Tiling.MODEL_DEFAULT : Tiling.MODEL_DEFAULT.withMaxTiles(o.maxTiles);
            Perplexity ppl = new Perplexity(vlm, o.prompt, o.scoreEnd, tiling);

            ObjectNode header = JsonNodeFactory.instance.objectNode();
            header.put("tessera_ppl", 1);
            header.put("input", o.input.toAbsolutePath().normalize().toString());
            header.put("input_sha256", sha256(o.input));
            header.put("model", o.modelName);
            header.put("prompt", o.prompt);
            header.put("score_end", o.scoreEnd);
            header.put("max_tiles", o.maxTiles == null ? "model default" : o.maxTiles.toString());
            Path journalPath = o.out.resolve(JOURNAL);
            int resumed = 0;
            if (!o.restart) {
                for (Entry e : resume(journalPath, header)) {
                    int i = ix.find(e.line());
                    if (i < 0) throw new DataException(journalPath + " scores line " + e.line() + ", which the input has not (use --restart)");
                    if (done[i]) continue;
                    done[i] = true;
                    resumed++;
                    if (e.error() != null) errors[i] = e.error();
                    else {
                        ppls[i] = e.ppl();
                        tokens[i] = e.tokens();
                    }
                }
            }
            List<Integer> todo = new ArrayList<>();
            int precounted = 0;
            for (int i = 0; i < n; i++) {
                if (!done[i]) todo.add(i);
                else precounted++;
            }
            int workers = o.workers > 0 ? o.workers : autoWorkers(vlm, o.maxTiles);
            AtomicLong count = new AtomicLong(precounted);
            try (FileChannel ch = openJournal(journalPath, header, o.restart || resumed == 0);
                 ProgressBar bar = new ProgressBar(log, ProgressBar.terminal(), "ppl", n, precounted)) {
                OutputStream journal = java.nio.channels.Channels.newOutputStream(ch);
                ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                    Thread t = new Thread(r, "tessera-ppl");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int i : todo) {
                        futures.add(pool.submit(() -> {
                            Entry e = score(ppl, root, ix, input, i, o.onError, inputName);
                            synchronized (journal) {
                                try {
                                    Jsonl.writeLine(journal, entryNode(e));
                                    journal.flush();
                                } catch (IOException ex) {
                                    throw new UncheckedIOException("cannot append to " + journalPath + ": " + ex.getMessage(), ex);
                                }
                                if (e.error() != null) errors[i] = e.error();
                                else {
                                    ppls[i] = e.ppl();
                                    tokens[i] = e.tokens();
                                }
                            }
                            bar.update(count.incrementAndGet());
                            return null;
                        }));
                    }
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (ExecutionException ex) {
                            pool.shutdownNow();
                            Throwable c = ex.getCause();
                            if (c instanceof RuntimeException re) throw re;
                            if (c instanceof Error er) throw er;
                            throw new IllegalStateException(c);
                        } catch (InterruptedException ex) {
                            pool.shutdownNow();
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted; " + JOURNAL + " keeps the scores so far", ex);
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                ch.force(true);
            }

            // Sort and split: ascending perplexity, ties in input order.
            List<Integer> scored = new ArrayList<>();
            List<Integer> rejected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (errors[i] == null) {
                    scored.add(i);
                    continue;
                }
                if (o.onError == OnError.FAIL) {
                    throw new DataException(inputName + ":" + ix.line[i] + ": " + errors[i]
                            + " (recorded in " + JOURNAL + " by an earlier run with --on-error skip; use --restart to retry)");
                }
                rejected.add(i);
            }
            scored.sort(Comparator.<Integer>comparingDouble(i -> ppls[i]).thenComparingInt(i -> i));
            int k = (int) Math.floor(scored.size() * o.keep);
            writeRows(o.out.resolve(KEPT), scored.subList(0, k), input, ix, ppls);
            writeRows(o.out.resolve(DROPPED), scored.subList(k, scored.size()), input, ix, ppls);
            if (!rejected.isEmpty()) {
                AtomicFiles.write(o.out.resolve(REJECTED), out -> {
                    for (int i : rejected) Jsonl.writeLine(out, rejection(inputName, ix.line[i], errors[i], parse(ix.text(input, i))));
                });
            } else {
                AtomicFiles.deleteQuietly(o.out.resolve(REJECTED));
            }
            Double threshold = k > 0 ? ppls[scored.get(k - 1)] : null;
            return new Result(n, k, scored.size() - k, rejected.size(), todo.size(), resumed, threshold, workers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + o.input + " or write " + o.out + ": " + e.getMessage(), e);
        }
    }

    /** The lines {@code rows} with their {@code "ppl"} added, in that order. */
    private static void writeRows(Path target, List<Integer> rows, FileChannel input, LineIndex ix, double[] ppls) {
        AtomicFiles.write(target, out -> {
            for (int i : rows) {
                ObjectNode row = (ObjectNode) parse(ix.text(input, i));
                row.put("ppl", ppls[i]);
                Jsonl.writeLine(out, row);
            }
        });
    }

    /** The line as a JSON object, or null if it is not one. */
    private static JsonNode parse(String text) {
        try {
            JsonNode n = Jsonl.MAPPER.readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** What is wrong with pair {@code i} before the model sees it, or null. */
    private static String check(FileChannel input, LineIndex ix, int i, Path root) {
        String text = ix.text(input, i);
        JsonNode row;
        try {
            row = Jsonl.MAPPER.readTree(text);
        } catch (IOException e) {
            return "not valid JSON (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")";
        }
        if (row == null || !row.isObject()) return "expected a JSON object on each line";
        JsonNode img = row.get("image");
        JsonNode cap = row.get("caption");
        if (img == null || !img.isTextual() || img.asText().isBlank()) return "no \"image\" path";
        if (cap == null || !cap.isTextual() || cap.asText().isBlank()) return "no \"caption\" text";
        Path file = root.resolve(img.asText());
        if (!Files.isRegularFile(file)) return "image " + img.asText() + " not found (looked for " + file + ")";
        return null;
    }

    private static Entry score(Perplexity ppl, Path root, LineIndex ix, FileChannel input, int i, OnError onError, String inputName) {
        String place = inputName + ":" + ix.line[i];
        try {
            JsonNode row = Jsonl.MAPPER.readTree(ix.text(input, i));
            Perplexity.Score s = ppl.score(ImageInput.file(root.resolve(row.get("image").asText())), row.get("caption").asText());
            return new Entry(ix.line[i], s.ppl(), s.tokens(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(place + ": " + e.getMessage(), e);
        } catch (DataException | IllegalArgumentException | org.tessera.vision.image.ImageLoadException e) {
            if (onError == OnError.FAIL) throw new DataException(place + ": " + e.getMessage() + " (use --on-error skip to leave such pairs out)", e);
            return new Entry(ix.line[i], null, 0, e.getMessage());
        }
    }

    private static ObjectNode entryNode(Entry e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("line", e.line());
        if (e.error() != null) {
            n.put("error", e.error());
        } else {
            n.put("ppl", e.ppl());
            n.put("tokens", e.tokens());
        }
        return n;
    }

    private static ObjectNode rejection(String input, int line, String reason, JsonNode row) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("place", input + ":" + line);
        r.put("reason", reason);
        if (row != null) r.set("row", row);
        return r;
    }

    /**
     * The entries of an earlier run's journal, if its header matches this run's; a torn last line (a kill in the
     * middle of a write) is cut off. A journal for another input, model or prompt is refused.
     */
    static List<Entry> resume(Path journal, ObjectNode header) {
        List<Entry> done = new ArrayList<>();
        if (!Files.exists(journal)) return done;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(journal);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + journal + ": " + e.getMessage(), e);
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') end--;
        if (end < bytes.length) {
            try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                ch.truncate(end);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot repair " + journal + ": " + e.getMessage(), e);
            }
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || lines[0].isBlank()) return done;
        JsonNode h;
        try {
            h = Jsonl.MAPPER.readTree(lines[0]);
        } catch (IOException e) {
            throw new DataException(journal + ": not a tessera ppl journal (use --restart to overwrite it)");
        }
        if (!header.equals(h)) {
            throw new DataException(journal + " holds scores for another run (" + difference(header, h)
                    + "); use --restart to start over, or another --out");
        }
        for (int i = 1; i < lines.length; i++) {
            try {
                JsonNode n = Jsonl.MAPPER.readTree(lines[i]);
                int line = n.get("line").intValue();
                done.add(n.has("error") ? new Entry(line, null, 0, n.get("error").asText())
                        : new Entry(line, n.get("ppl").doubleValue(), n.get("tokens").intValue(), null));
            } catch (IOException | RuntimeException e) {
                throw new DataException(journal + ":" + (i + 1) + ": unreadable journal line (use --restart to start over)");
            }
        }
        return done;
    }

    private static String difference(JsonNode want, JsonNode got) {
        if (got == null || !got.isObject()) return "no header";
        for (var e : want.properties()) {
            if (!e.getValue().equals(got.get(e.getKey()))) {
                return e.getKey() + " was " + (got.has(e.getKey()) ? got.get(e.getKey()) : "absent") + ", now " + e.getValue();
            }
        }
        return "its header differs";
    }

    private static FileChannel openJournal(Path journal, ObjectNode header, boolean fresh) throws IOException {
        if (fresh) {
            AtomicFiles.write(journal, out -> Jsonl.writeLine(out, header));
        }
        return FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    static String sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pairs that fit in half the free heap by a rough per-pair estimate (the caption's logits chunk, the prompt's
     * activations and cache at 64 floats per hidden unit and position, the image encoder's activations), at most a
     * quarter of the cores (the kernels already use all cores; more pairs at once mostly overlap the serial parts).
     */
    static int autoWorkers(VisionLanguageModel vlm, Integer maxTiles) {
        var m = vlm.model();
        int tiles = 1 + (maxTiles != null ? maxTiles : 12);
        long positions = (long) tiles * m.tokensPerTile() + 512;
        long llm = positions * m.language().hiddenSize() * 64L * 4;
        long logits = (long) Perplexity.CHUNK * m.language().vocabSize() * 4;
        int patches = m.config().grid() * m.config().grid() + 1;
        long vision = (long) tiles * patches * m.config().vision().hiddenSize() * 4 * 8;
        long per = llm + logits + vision;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long fit = Math.max(1, free / 2 / Math.max(1, per));
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
        return (int) Math.max(1, Math.min(fit, cores));
    }
}
