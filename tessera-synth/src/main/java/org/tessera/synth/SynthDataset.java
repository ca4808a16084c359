package org.tessera.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a data set: renders samples on a fixed pool of threads, writes each PNG from the thread that drew it, and
 * writes the annotation lines in index order, so the output is the same whatever the number of threads.
 *
 * <p>Layout of {@code DIR}: {@code images/train-NNNNNNN.png}, {@code images/test-NNNNNNN.png}; {@code train.jsonl}
 * (one line per image, its questions as successive turns); {@code test.jsonl} (one line per question, so exact-match
 * evaluation scores each on its own); {@code meta.json} and {@code meta_test.json} (InternVL's meta format);
 * {@code synth.json} (knobs and statistics) and {@code README.md} (the card); with --layout,
 * {@code train_layout.jsonl} and {@code test_layout.jsonl} (every drawn string and its box).
 *
 * <p>Held-out split: sample i of a split is drawn from a generator seeded by (seed, split, i, attempt), the splits
 * using different salts. On top of that every test sample's content key (a hash of all its drawn text, see
 * {@link Sample#contentHash()}) is checked against all training keys and all earlier test keys; a test sample that
 * matches is drawn again with the next attempt number. Test sample i does not depend on the training count except
 * through such a rejection.
 */
public final class SynthDataset {
    /** Seeds a sample's generator; tests replace it to force collisions between the splits. */
    @FunctionalInterface
    interface Seeds {
        Rng rng(long seed, Split split, long index, int attempt);
    }

    /** Told how far generation has got; called from one thread, in order. */
    @FunctionalInterface
    public interface Listener {
        void progress(Split split, int done, int total);
    }

    /** What a run wrote. {@code regenerated}: test samples drawn again because their content occurred before. */
    public record Result(int trainImages, int trainQuestions, int testImages, int testQuestions, int regenerated,
                         double seconds) {
        public double imagesPerMinute() {
            return seconds <= 0 ? 0 : (trainImages + testImages) * 60.0 / seconds;
        }
    }

    static final int MAX_ATTEMPTS = 1000;
    static final String VERSION = "1";
    private static final Pattern OURS = Pattern.compile("(train|test)-\\d{7}\\.png");
    private static final List<String> FILES = List.of("train.jsonl", "test.jsonl", "meta.json", "meta_test.json",
            "synth.json", "README.md", "train_layout.jsonl", "test_layout.jsonl");

    private final SynthOptions o;
    private final Seeds seeds;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    SynthDataset(SynthOptions o, Seeds seeds) {
        this.o = o;
        this.seeds = seeds;
    }

    public SynthDataset(SynthOptions o) {
        this(o, Rng::forSample);
    }

    /** Renders sample {@code index} of a split (attempt 0): what {@link #write} would draw, without writing it. */
    public static Sample render(SynthOptions o, Split split, long index) {
        return new SynthDataset(o).render(split, index, 0);
    }

    Sample render(Split split, long index, int attempt) {
        Rng rng = seeds.rng(o.seed(), split, index, attempt);
        Kind k = o.kind() == Kind.MIXED ? Kind.CONCRETE.get(rng.nextInt(Kind.CONCRETE.size())) : o.kind();
        return Generator.generate(k, rng, o);
    }

    public static String imageName(Split split, long index) {
        return String.format(Locale.ROOT, "%s-%07d.png", split.label(), index);
    }

    /** What a worker hands back: everything but the pixels. */
    private record Done(long index, int attempt, Sample sample, long key, String hex) {}

    /**
     * Writes the data set into {@code dir}. The folder must not exist or be empty, unless {@code overwrite}, which
     * first deletes what an earlier run wrote there (its images and files, nothing else).
     */
    public Result write(Path dir, boolean overwrite, Listener listener) throws IOException {
        long t0 = System.nanoTime();
        prepare(dir, overwrite);
        Path images = Files.createDirectories(dir.resolve("images"));
        LongSet trainKeys = new LongSet();
        Stats trainStats = new Stats();
        Stats testStats = new Stats();
        int[] regenerated = {0};
        ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
            Thread t = new Thread(r, "tessera-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            // training split
            try (Lines ann = new Lines(dir, "train.jsonl"); Lines lay = o.writeLayout() ? new Lines(dir, "train_layout.jsonl") : null) {
                run(pool, Split.TRAIN, o.count(), i -> {
                    Sample s = render(Split.TRAIN, i, 0);
                    writePng(images, Split.TRAIN, i, s);
                    return new Done(i, 0, strip(s), s.contentKey(), s.contentHex());
                }, d -> {
                    trainKeys.add(d.key());
                    trainStats.add(d.sample());
                    ann.write(trainLine(d));
                    if (lay != null) lay.write(layoutLine(Split.TRAIN, d));
                }, listener);
                ann.commit();
                if (lay != null) lay.commit();
            }
            // test split: workers reject training twins; the ordered consumer rejects earlier test twins
            LongSet testKeys = new LongSet();
            try (Lines ann = new Lines(dir, "test.jsonl"); Lines lay = o.writeLayout() ? new Lines(dir, "test_layout.jsonl") : null) {
                run(pool, Split.TEST, o.testCount(), i -> fresh(images, i, 0, trainKeys, null, regenerated), d -> {
                    if (testKeys.contains(d.key())) {
                        d = fresh(images, d.index(), d.attempt() + 1, trainKeys, testKeys, regenerated);
                    }
                    testKeys.add(d.key());
                    testStats.add(d.sample());
                    for (String line : testLines(d)) ann.write(line);
                    if (lay != null) lay.write(layoutLine(Split.TEST, d));
                }, listener);
                ann.commit();
                if (lay != null) lay.commit();
            }
        } finally {
            pool.shutdownNow();
        }
        writeMeta(dir, trainStats, testStats);
        writeCard(dir, trainStats, testStats, regenerated[0]);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(trainStats.images, trainStats.questions, testStats.images, testStats.questions, regenerated[0], secs);
    }

    /** Test sample {@code i} from {@code attempt} on, drawn again until its content occurs in neither set. */
    private Done fresh(Path images, long i, int attempt, LongSet trainKeys, LongSet testKeys, int[] regenerated) {
        for (int a = attempt; a < MAX_ATTEMPTS; a++) {
            Sample s = render(Split.TEST, i, a);
            long key = s.contentKey();
            if (trainKeys.contains(key) || (testKeys != null && testKeys.contains(key))) {
                synchronized (regenerated) {
                    regenerated[0]++;
                }
                continue;
            }
            writePng(images, Split.TEST, i, s);
            return new Done(i, a, strip(s), key, s.contentHex());
        }
        throw new IllegalStateException("test sample " + i + " equals a training or earlier test sample in " + MAX_ATTEMPTS
                + " attempts: the knobs leave too little variety");
    }

    /** The sample without its pixels, so that finished work does not hold images in memory. */
    private static Sample strip(Sample s) {
        return new Sample(s.kind(), s.width(), s.height(), s.angleDeg(), null, s.items(), s.qas());
    }

    private static void writePng(Path images, Split split, long i, Sample s) {
        try {
            Files.write(images.resolve(imageName(split, i)), PngWriter.encode(s.image()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface Task {
        Done run(long index) throws Exception;
    }

    @FunctionalInterface
    private interface Sink {
        void accept(Done d) throws IOException;
    }

    /** Runs tasks 0..n-1 on the pool, at most a few per thread ahead, and hands results to {@code sink} in order. */
    private void run(ExecutorService pool, Split split, int n, Task task, Sink sink, Listener listener) throws IOException {
        Deque<Future<Done>> window = new ArrayDeque<>();
        int ahead = o.threads() * 4;
        int next = 0;
        int done = 0;
        try {
            while (done < n) {
                while (next < n && window.size() < ahead) {
                    long idx = next++;
                    window.add(pool.submit(() -> task.run(idx)));
                }
                Done d = window.removeFirst().get();
                sink.accept(d);
                done++;
                if (listener != null) listener.progress(split, done, n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof UncheckedIOException u) throw u.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException(c);
        } finally {
            for (Future<Done> f : window) f.cancel(true);
        }
    }

    // ---- annotation lines -----------------------------------------------------------------------------------------

    private ObjectNode head(String id, Split split, Done d) {
        Sample s = d.sample();
        ObjectNode n = json.createObjectNode();
        n.put("id", id);
        n.put("image", "images/" + imageName(split, d.index()));
        n.put("width", s.width());
        n.put("height", s.height());
        return n;
    }

    private void tail(ObjectNode n, Done d) {
        Sample s = d.sample();
        n.put("kind", s.kind().label());
        n.put("min_text_px", Generator.round1(s.minTextPx()));
        n.put("content_hash", d.hex());
    }

    private String trainLine(Done d) throws IOException {
        Sample s = d.sample();
        ObjectNode n = head(String.format(Locale.ROOT, "train-%07d", d.index()), Split.TRAIN, d);
        ArrayNode conv = n.putArray("conversations");
        for (int q = 0; q < s.qas().size(); q++) {
            Qa qa = s.qas().get(q);
            conv.addObject().put("from", "human").put("value", (q == 0 ? "<image>\n" : "") + qa.question());
            conv.addObject().put("from", "gpt").put("value", qa.answer());
        }
        tail(n, d);
        ArrayNode meta = n.putArray("qa");
        for (Qa qa : s.qas()) meta.addObject().put("type", qa.type()).put("answer_text_px", qa.answerTextPx());
        return json.writeValueAsString(n);
    }

    private List<String> testLines(Done d) throws IOException {
        Sample s = d.sample();
        List<String> out = new ArrayList<>();
        for (int q = 0; q < s.qas().size(); q++) {
            Qa qa = s.qas().get(q);
            ObjectNode n = head(String.format(Locale.ROOT, "test-%07d-%d", d.index(), q + 1), Split.TEST, d);
            ArrayNode conv = n.putArray("conversations");
            conv.addObject().put("from", "human").put("value", "<image>\n" + qa.question());
            conv.addObject().put("from", "gpt").put("value", qa.answer());
            tail(n, d);
            n.put("question_type", qa.type());
            n.put("answer_text_px", qa.answerTextPx());
            out.add(json.writeValueAsString(n));
        }
        return out;
    }

    private String layoutLine(Split split, Done d) throws IOException {
        Sample s = d.sample();
        ObjectNode n = json.createObjectNode();
        n.put("id", String.format(Locale.ROOT, "%s-%07d", split.label(), d.index()));
        n.put("image", "images/" + imageName(split, d.index()));
        n.put("angle", Math.round(s.angleDeg() * 1000) / 1000.0);
        ArrayNode items = n.putArray("items");
        for (TextItem t : s.items()) {
            ObjectNode it = items.addObject();
            it.put("text", t.text());
            it.put("role", t.role());
            it.putArray("box").add(r2(t.x())).add(r2(t.y())).add(r2(t.w())).add(r2(t.h()));
            it.put("cap_px", r2(t.capPx()));
            it.put("font", t.font());
        }
        ArrayNode qas = n.putArray("qa");
        for (Qa qa : s.qas()) {
            ObjectNode q = qas.addObject();
            q.put("type", qa.type());
            q.put("question", qa.question());
            q.put("answer", qa.answer());
            q.put("answer_item", qa.answerItem());
            ArrayNode k = q.putArray("key_items");
            qa.keyItems().forEach(k::add);
        }
        return json.writeValueAsString(n);
    }

    private static double r2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** A JSONL file written under a temporary name and moved into place only when complete. */
    private static final class Lines implements AutoCloseable {
        private final Path target;
        private final Path partial;
        private final BufferedWriter out;
        private boolean committed;

        Lines(Path dir, String name) throws IOException {
            target = dir.resolve(name);
            partial = dir.resolve(name + ".partial");
            out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8);
        }

        void write(String line) throws IOException {
            out.write(line);
            out.write('\n');
        }

        void commit() throws IOException {
            out.close();
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                out.close();
                Files.deleteIfExists(partial);
            }
        }
    }

    // ---- folder, meta, card ---------------------------------------------------------------------------------------

    private static void prepare(Path dir, boolean overwrite) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            return;
        }
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " exists and is not a folder");
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) return;
        if (!overwrite) {
            throw new IllegalArgumentException(dir + " is not empty; choose a new folder or pass --overwrite to replace an earlier data set there");
        }
        for (String f : FILES) {
            Files.deleteIfExists(dir.resolve(f));
            Files.deleteIfExists(dir.resolve(f + ".partial"));
        }
        Path images = dir.resolve("images");
        if (Files.isDirectory(images)) {
            try (Stream<Path> s = Files.list(images)) {
                for (Path p : s.toList()) {
                    if (OURS.matcher(p.getFileName().toString()).matches()) Files.delete(p);
                }
            }
        }
    }

    private void writeMeta(Path dir, Stats train, Stats test) throws IOException {
        String root = dir.normalize().toString().replace('\\', '/');
        for (boolean isTest : new boolean[] {false, true}) {
            ObjectNode meta = json.createObjectNode();
            ObjectNode e = meta.putObject(o.name() + (isTest ? "_test" : ""));
            e.put("root", root);
            e.put("annotation", root + (isTest ? "/test.jsonl" : "/train.jsonl"));
            e.put("data_augment", false);
            e.put("repeat_time", 1);
            e.put("length", isTest ? test.questions : train.images);
            Files.writeString(dir.resolve(isTest ? "meta_test.json" : "meta.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
        }
    }

    private ObjectNode options() {
        ObjectNode p = json.createObjectNode();
        p.put("generator", "tessera-synth " + VERSION);
        p.put("preset", o.preset().label());
        p.put("kind", o.kind().label());
        p.put("count", o.count());
        p.put("test_count", o.testCount());
        p.put("seed", o.seed());
        p.put("min_size", o.minSize());
        p.put("max_size", o.maxSize());
        p.put("min_text_px", o.minTextPx());
        p.put("max_text_px", o.maxTextPx());
        p.put("vocab", o.vocab().label());
        p.put("questions_per_image", o.questionsPerImage());
        p.put("rotation", o.maxRotation());
        p.put("noise", o.noise());
        return p;
    }

    private void writeCard(Path dir, Stats train, Stats test, int regenerated) throws IOException {
        ObjectNode s = json.createObjectNode();
        s.set("options", options());
        s.put("java", System.getProperty("java.vendor.version", System.getProperty("java.version")));
        ArrayNode fonts = s.putArray("fonts");
        for (FontBook f : FontBook.values()) fonts.add(f.file());
        s.set("train", train.json(json));
        s.set("test", test.json(json));
        s.put("test_regenerated", regenerated);
        Files.writeString(dir.resolve("synth.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n");

        StringBuilder md = new StringBuilder();
        md.append("# ").append(o.name()).append("\n\n");
        md.append("Synthetic ").append(o.kind().label()).append(" rendered by tessera-synth ").append(VERSION)
                .append(" (`tessera data synth`) with Java2D and bundled fonts. Every answer is a string drawn on the page.\n\n");
        md.append("## Generation parameters\n\n| knob | value |\n|---|---|\n");
        options().properties().forEach(en -> md.append("| ").append(en.getKey()).append(" | ").append(en.getValue().asText()).append(" |\n"));
        md.append("| java | ").append(s.get("java").asText()).append(" |\n\n");
        md.append("Same knobs and seed, same JDK: byte-identical PNGs and JSONL. Fonts: ");
        md.append(String.join(", ", java.util.Arrays.stream(FontBook.values()).map(FontBook::file).toList())).append(" (Liberation 2: SIL OFL 1.1; DejaVu: Bitstream Vera licence).\n\n");
        md.append("## Contents\n\n| split | images | questions | kinds | longer side (px) | smallest text cap height (px) |\n|---|---|---|---|---|---|\n");
        md.append(train.row("train")).append(test.row("test"));
        md.append("\nQuestion types, train: ").append(train.types()).append("  \nQuestion types, test: ").append(test.types()).append("\n\n");
        md.append("Held-out split: per-sample seeds from (seed, split, index, attempt) with disjoint split salts; ")
                .append("every test sample's content hash (all drawn text) was checked against all training samples and all earlier test samples; ")
                .append(regenerated).append(" test sample(s) were drawn again.\n\n");
        md.append("""
                ## Files

                - `images/train-NNNNNNN.png`, `images/test-NNNNNNN.png`: 8-bit RGB PNGs.
                - `train.jsonl`: InternVL fine-tuning format, one line per image: `id`, `image` (relative to the data set's folder), `width`, `height`, `conversations` (the image's questions as successive turns; `<image>` in the first), and `kind`, `min_text_px`, `content_hash`, `qa` (per question: `type`, `answer_text_px`).
                - `test.jsonl`: one line per question (a single-turn conversation), with `question_type` and `answer_text_px`, for exact-match scoring.
                - `meta.json` (training set) and `meta_test.json` (test set): InternVL meta entries; `root` is the output folder as given on the command line.
                - `synth.json`: the knobs and statistics above, machine-readable.
                - With `--layout`, `train_layout.jsonl` and `test_layout.jsonl`: per image every drawn string with its `role`, `box` [x, y, w, h] (before the page is turned by `angle` degrees about its centre), `cap_px` and `font`, and per question the index of the answer's string and of the strings the question names.
                - Text sizes are cap heights (height of a capital or digit) in pixels of the original image.
                """);
        Files.writeString(dir.resolve("README.md"), md.toString());
    }

    /** Running statistics of one split, gathered in index order. */
    private static final class Stats {
        int images;
        int questions;
        final java.util.TreeMap<String, Integer> kinds = new java.util.TreeMap<>();
        final java.util.TreeMap<String, Integer> types = new java.util.TreeMap<>();
        int minSide = Integer.MAX_VALUE, maxSide;
        double minText = Double.POSITIVE_INFINITY, maxText;
        long sideSum;
        double textSum;

        void add(Sample s) {
            images++;
            questions += s.qas().size();
            kinds.merge(s.kind().label(), 1, Integer::sum);
            for (Qa q : s.qas()) types.merge(q.type(), 1, Integer::sum);
            int side = Math.max(s.width(), s.height());
            minSide = Math.min(minSide, side);
            maxSide = Math.max(maxSide, side);
            sideSum += side;
            double t = s.minTextPx();
            minText = Math.min(minText, t);
            maxText = Math.max(maxText, t);
            textSum += t;
        }

        String row(String split) {
            if (images == 0) return "| " + split + " | 0 | 0 | | | |\n";
            return String.format(Locale.ROOT, "| %s | %d | %d | %s | %d–%d (mean %.0f) | %.1f–%.1f (mean %.1f) |%n", split, images,
                    questions, kinds, minSide, maxSide, sideSum / (double) images, minText, maxText, textSum / images);
        }

        String types() {
            return types.toString();
        }

        ObjectNode json(ObjectMapper m) {
            ObjectNode n = m.createObjectNode();
            n.put("images", images);
            n.put("questions", questions);
            ObjectNode k = n.putObject("kinds");
            kinds.forEach(k::put);
            ObjectNode t = n.putObject("question_types");
            types.forEach(t::put);
            if (images > 0) {
                n.put("min_longer_side", minSide);
                n.put("max_longer_side", maxSide);
                n.put("min_text_px", Generator.round1(minText));
                n.put("max_of_min_text_px", Generator.round1(maxText));
            }
            return n;
        }
    }
}
