package org.tessera.app.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.tessera.synth.ContactSheet;
import org.tessera.synth.Kind;
import org.tessera.synth.Preset;
import org.tessera.synth.Sample;
import org.tessera.synth.Split;
import org.tessera.synth.SynthDataset;
import org.tessera.synth.SynthOptions;
import org.tessera.synth.Vocab;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera data synth}: renders a synthetic training and test set of documents with exact answers. */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render synthetic receipts, invoices, documents, tables and charts with Java2D, with questions whose one "
                + "exact answer is drawn on the page, in the InternVL fine-tuning format: DIR/images/*.png, DIR/train.jsonl "
                + "(one line per image, questions as turns), DIR/test.jsonl (one line per question, held out: never equal "
                + "to a training sample), DIR/meta.json, DIR/meta_test.json, DIR/synth.json and a README card.",
                "The same options and seed give byte-identical files with the same JDK, whatever --threads.",
                "Text sizes are cap heights (the height of a capital or digit) in pixels."})
public final class DataSynthCommand implements Callable<Integer> {
    @Option(names = "--kind", paramLabel = "KIND", description = "receipts, documents, tables, charts or mixed (default: mixed; easy preset: receipts).")
    String kind;

    @Option(names = "--count", paramLabel = "N", required = true, description = "Training images.")
    int count;

    @Option(names = "--test-count", paramLabel = "N", description = "Held-out test images (default: a tenth of --count, rounded up).")
    Integer testCount;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder (new or empty; see --overwrite).")
    Path out;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "full",
            description = "full (every kind, pages 448-2400 px, text 6-48 px, word answers, 3 questions) or easy (receipts "
                    + "448-1024 px with a big bold total, text 9-40 px, numeric answers, 2 questions, one phrasing). "
                    + "The options below override it. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--min-size", paramLabel = "PX", description = "Smallest longer side of an image.")
    Integer minSize;

    @Option(names = "--max-size", paramLabel = "PX", description = "Largest longer side of an image.")
    Integer maxSize;

    @Option(names = "--min-text-px", paramLabel = "PX", description = "Smallest cap height of any text.")
    Double minTextPx;

    @Option(names = "--max-text-px", paramLabel = "PX", description = "Largest cap height of any text.")
    Double maxTextPx;

    @Option(names = "--vocab", paramLabel = "V", description = "digits (numeric answers only) or words (numbers and short phrases).")
    String vocab;

    @Option(names = "--questions-per-image", paramLabel = "Q", description = "Question-answer pairs per image.")
    Integer questionsPerImage;

    @Option(names = "--rotation", paramLabel = "DEG", description = "Largest turn of a page, degrees either way.")
    Double rotation;

    @Option(names = "--noise", paramLabel = "X", description = "0..1: paper shading, specks, stains.")
    Double noise;

    @Option(names = "--threads", paramLabel = "T", description = "Rendering threads (default: the number of cores).")
    Integer threads;

    @Option(names = "--name", paramLabel = "NAME", description = "The data set's name in meta.json (default: synth_KIND, _easy for the easy preset).")
    String name;

    @Option(names = "--layout", description = "Also write train_layout.jsonl / test_layout.jsonl: every drawn string with its box and size.")
    boolean layout;

    @Option(names = "--overwrite", description = "Replace an earlier data set in DIR (only the files a run writes).")
    boolean overwrite;

    @Option(names = "--contact-sheet", paramLabel = "FILE.png", description = "Also draw the first training samples (up to 12) into one PNG to look at.")
    Path contactSheet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SynthOptions o = options();
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = System.console() != null && System.console().isTerminal();
        int[] last = {-1};
        SynthDataset.Result r = new SynthDataset(o).write(out, overwrite, (split, done, total) -> {
            if (!terminal) return;
            int pct = (int) (100L * done / total);
            if (pct != last[0] || done == total) {
                last[0] = pct;
                err.print(String.format(Locale.ROOT, "\r\033[K%s %d/%d", split.label(), done, total));
                err.flush();
            }
        });
        if (terminal) {
            err.print("\r\033[K");
            err.flush();
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%s: %d training images (%d questions), %d test images (%d questions) in %s%n", o.name(),
                r.trainImages(), r.trainQuestions(), r.testImages(), r.testQuestions(), out);
        pw.printf(Locale.ROOT, "%.1f s, %.0f images/min on %d thread%s%s%n", r.seconds(), r.imagesPerMinute(), o.threads(),
                o.threads() == 1 ? "" : "s", r.regenerated() > 0 ? ", " + r.regenerated() + " test sample(s) drawn again (equal to earlier ones)" : "");
        if (contactSheet != null) {
            int n = Math.min(12, o.count());
            List<Sample> samples = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                samples.add(SynthDataset.render(o, Split.TRAIN, i));
                ids.add(String.format(Locale.ROOT, "train-%07d", i));
            }
            Path parent = contactSheet.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(ContactSheet.draw(samples, ids, Math.min(4, n)), "png", contactSheet.toFile())) {
                throw new IOException(contactSheet + ": could not write PNG");
            }
            pw.println("contact sheet written to " + contactSheet);
        }
        pw.flush();
        return 0;
    }

    /** The knobs, checked; a bad one becomes a usage error that names it. */
    SynthOptions options() {
        try {
            SynthOptions.Builder b = SynthOptions.builder(Preset.parse(preset)).count(count).seed(seed);
            if (kind != null) b.kind(Kind.parse(kind));
            if (testCount != null) b.testCount(testCount);
            if (minSize != null) b.minSize(minSize);
            if (maxSize != null) b.maxSize(maxSize);
            if (minTextPx != null) b.minTextPx(minTextPx);
            if (maxTextPx != null) b.maxTextPx(maxTextPx);
            if (vocab != null) b.vocab(Vocab.parse(vocab));
            if (questionsPerImage != null) b.questionsPerImage(questionsPerImage);
            if (rotation != null) b.maxRotation(rotation);
            if (noise != null) b.noise(noise);
            if (threads != null) b.threads(threads);
            if (name != null) b.name(name);
            b.writeLayout(layout);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
