package org.tessera.data.convert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Classification rows ({@code image}, {@code label}) as multiple-choice questions:
 * <pre>
 * &lt;image&gt;
 * What is the category of this image?
 * A. cat
 * B. dog
 * C. bird
 * Answer with the option's text from the given choices directly.      → "dog"
 * </pre>
 * With {@code --answer letter} the instruction is InternVL's usual one ({@code Answer with the option's letter from
 * the given choices directly.}) and the answer the letter. All labels are listed in their order unless
 * {@code --choices N} asks for N options: the true label and N−1 others drawn at random (seeded per row), shuffled.
 * A label not among {@code --labels} is a bad row. More than 26 options are numbered instead of lettered.
 */
final class ClassificationTask implements Converter.TaskConverter {
    private final ConvertOptions o;
    private final List<String> labels;
    private final Set<String> known;

    ClassificationTask(ConvertOptions o, List<Row> rows) {
        this.o = o;
        if (o.labels != null) {
            labels = List.copyOf(new LinkedHashSet<>(o.labels));
        } else {
            Set<String> seen = new LinkedHashSet<>();
            for (Row r : rows) {
                String l = r.text("label");
                if (l != null) seen.add(l.strip());
            }
            labels = List.copyOf(seen);
        }
        known = Set.copyOf(labels);
        if (o.choices > labels.size() && !labels.isEmpty()) {
            throw new IllegalArgumentException("--choices " + o.choices + " but there are only " + labels.size() + " labels");
        }
    }

    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        for (Row row : rows) {
            ctx.each(row, () -> {
                String image = row.require("image");
                String label = row.require("label").strip();
                if (!known.contains(label)) {
                    throw new BadRow(row.place(), "label \"" + label + "\" is not one of the " + labels.size() + " labels ("
                            + preview(labels) + ")");
                }
                ImageFiles.Size size = ctx.images.size(row.place(), image);
                List<String> options = options(label, row.index());
                String answer = o.answerLetter ? marker(options.indexOf(label), options.size()) : label;
                ctx.emit(Converter.single(ctx.id(row), image, size, Converter.oneTurn("<image>\n" + question(options), answer)));
            });
        }
    }

    /** The options of one question: every label, or the true one plus random others, shuffled. */
    List<String> options(String label, int rowIndex) {
        if (o.choices == 0 || o.choices >= labels.size()) return labels;
        Random rnd = new Random(o.seed * 0x9E3779B97F4A7C15L + rowIndex);
        List<String> others = new ArrayList<>(labels);
        others.remove(label);
        Collections.shuffle(others, rnd);
        List<String> opts = new ArrayList<>(others.subList(0, o.choices - 1));
        opts.add(label);
        Collections.shuffle(opts, rnd);
        return opts;
    }

    String question(List<String> options) {
        StringBuilder sb = new StringBuilder(o.question);
        for (int i = 0; i < options.size(); i++) sb.append('\n').append(marker(i, options.size())).append(". ").append(options.get(i));
        sb.append('\n').append(o.answerLetter ? "Answer with the option's letter from the given choices directly."
                : "Answer with the option's text from the given choices directly.");
        return sb.toString();
    }

    /** A, B, … for up to 26 options; 1, 2, … beyond. */
    static String marker(int i, int n) {
        return n <= 26 ? String.valueOf((char) ('A' + i)) : Integer.toString(i + 1);
    }

    static String preview(List<String> l) {
        return l.size() <= 8 ? String.join(", ", l) : String.join(", ", l.subList(0, 8)) + ", …";
    }
}
