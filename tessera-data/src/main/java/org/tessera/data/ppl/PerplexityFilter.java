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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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

    /** One input pair. */
    private record Pair(int line, ObjectNode row) {}

    /** One journal entry: a score or an error. */
    private record Entry(int line, Double ppl, int tokens, String error) {}

    public static Result run(VisionLanguageModel vlm, Options o, PrintStream log) {
        if (!(o.keep > 0 && o.keep <= 1)) throw new IllegalArgumentException("--keep must be in (0, 1], got " + o.keep);
        if (o.workers < 0) throw new IllegalArgumentException("--workers must be at least 1 (or 0 for automatic), got " + o.workers);
        Path root = o.images != null ? o.images : o.input.toAbsolutePath().getParent();
        List<Pair> pairs = new ArrayList<>();
        List<Entry> unreadable = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.read(o.input, (place, why) -> {
            if (o.onError == OnError.FAIL) throw new DataException(place + ": " + why);
            unreadable.add(new Entry(Integer.parseInt(place.substring(place.lastIndexOf(':') + 1)), null, 0, why));
        })) {
            pairs.add(new Pair(l.number(), l.value()));
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
        Map<Integer, Entry> done = o.restart ? new HashMap<>() : resume(journalPath, header);
        int resumed = done.size();

        List<Pair> todo = pairs.stream().filter(p -> !done.containsKey(p.line())).toList();
        int workers = o.workers > 0 ? o.workers : autoWorkers(vlm, o.maxTiles);
        AtomicLong count = new AtomicLong(resumed);
        try (FileChannel ch = openJournal(journalPath, header, done.isEmpty());
             ProgressBar bar = new ProgressBar(log, ProgressBar.terminal(), "ppl", pairs.size(), resumed)) {
            OutputStream journal = java.nio.channels.Channels.newOutputStream(ch);
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "tessera-ppl");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (Pair p : todo) {
                    futures.add(pool.submit(() -> {
                        Entry e = score(ppl, root, p, o.onError, o.input.getFileName().toString());
                        synchronized (journal) {
                            try {
                                Jsonl.writeLine(journal, entryNode(e));
                                journal.flush();
                            } catch (IOException ex) {
                                throw new UncheckedIOException("cannot append to " + journalPath + ": " + ex.getMessage(), ex);
                            }
                            done.put(e.line(), e);
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + journalPath + ": " + e.getMessage(), e);
        }

        // Sort and split.
        List<ObjectNode> scored = new ArrayList<>();
        List<ObjectNode> rejected = new ArrayList<>();
        for (Entry u : unreadable) rejected.add(rejection(o.input, u.line(), u.error(), null));
        for (Pair p : pairs) {
            Entry e = done.get(p.line());
            if (e.error() != null) {
                if (o.onError == OnError.FAIL) {
                    throw new DataException(o.input.getFileName() + ":" + p.line() + ": " + e.error()
                            + " (recorded in " + JOURNAL + " by an earlier run with --on-error skip; use --restart to retry)");
                }
                rejected.add(rejection(o.input, p.line(), e.error(), p.row()));
                continue;
            }
            ObjectNode row = p.row().deepCopy();
            row.put("ppl", e.ppl());
            scored.add(row);
        }
        scored.sort(Comparator.comparingDouble(n -> n.get("ppl").doubleValue())); // stable: ties keep input order
        int k = (int) Math.floor(scored.size() * o.keep);
        Jsonl.writeAll(o.out.resolve(KEPT), scored.subList(0, k));
        Jsonl.writeAll(o.out.resolve(DROPPED), scored.subList(k, scored.size()));
        if (!rejected.isEmpty()) Jsonl.writeAll(o.out.resolve(REJECTED), rejected);
        else AtomicFiles.deleteQuietly(o.out.resolve(REJECTED));
        Double threshold = k > 0 ? scored.get(k - 1).get("ppl").doubleValue() : null;
        return new Result(pairs.size() + unreadable.size(), k, scored.size() - k, rejected.size(), todo.size(), resumed, threshold, workers);
    }

    private static Entry score(Perplexity ppl, Path root, Pair p, OnError onError, String inputName) {
        String place = inputName + ":" + p.line();
        try {
            JsonNode img = p.row().get("image");
            JsonNode cap = p.row().get("caption");
            if (img == null || !img.isTextual() || img.asText().isBlank()) throw new DataException("no \"image\" path");
            if (cap == null || !cap.isTextual() || cap.asText().isBlank()) throw new DataException("no \"caption\" text");
            Path file = root.resolve(img.asText());
            if (!Files.isRegularFile(file)) throw new DataException("image " + img.asText() + " not found (looked for " + file + ")");
            Perplexity.Score s = ppl.score(ImageInput.file(file), cap.asText());
            return new Entry(p.line(), s.ppl(), s.tokens(), null);
        } catch (RuntimeException e) {
            if (e instanceof DataException || e instanceof IllegalArgumentException || e instanceof org.tessera.vision.image.ImageLoadException) {
                String why = e.getMessage();
                if (onError == OnError.FAIL) throw new DataException(place + ": " + why + " (use --on-error skip to leave such pairs out)", e);
                return new Entry(p.line(), null, 0, why);
            }
            throw e;
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

    private static ObjectNode rejection(Path input, int line, String reason, JsonNode row) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("place", input.getFileName() + ":" + line);
        r.put("reason", reason);
        if (row != null) r.set("row", row);
        return r;
    }

    /**
     * The entries of an earlier run's journal, if its header matches this run's; a torn last line (a kill in the
     * middle of a write) is cut off. A journal for another input, model or prompt is refused.
     */
    static Map<Integer, Entry> resume(Path journal, ObjectNode header) {
        Map<Integer, Entry> done = new HashMap<>();
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
                done.put(line, n.has("error") ? new Entry(line, null, 0, n.get("error").asText())
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
