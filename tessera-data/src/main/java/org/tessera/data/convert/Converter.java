package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;
import org.tessera.data.OnError;
import org.tessera.data.ProgressBar;

/**
 * {@code data convert}: reads CSV, JSONL or COCO rows and writes InternVL's fine-tuning format (the
 * {@code internvl_chat} meta JSON and a JSONL of conversations).
 *
 * <p>Output, in {@code --out DIR} with {@code NAME} the dataset name:
 * <ul>
 *   <li>{@code NAME.jsonl}: one sample per line, {@code {"id", "image", "width", "height", "conversations": [{"from":
 *       "human", "value": "<image>\n…"}, {"from": "gpt", "value": …}, …]}}; several images give {@code "image": [...]}
 *       with {@code "width_list"} and {@code "height_list"};</li>
 *   <li>{@code meta.json}: {@code {NAME: {"root", "annotation", "data_augment": false, "repeat_time": 1, "length"}}},
 *       with absolute paths; {@code root} is {@code --images}, or the output directory when the images are made by
 *       the conversion (under {@code images/});</li>
 *   <li>{@code NAME.rejected.jsonl} (only with {@code --on-error skip} and bad rows): {@code {"place", "reason",
 *       "row"}} for each row left out.</li>
 * </ul>
 * Every file is written whole or not at all (temporary file, then an atomic rename), the JSONL and meta last: an
 * interrupted run leaves no half-written file, and at worst made images without a JSONL that names them.
 */
public final class Converter {
    /** What a run wrote. */
    public record Result(int samples, int rejected, Path annotation, Path meta, Path rejectedFile) {}

    private Converter() {}

    public static Result run(ConvertOptions o, PrintStream log) {
        if (o.choices == 1 || o.choices < 0) throw new IllegalArgumentException("--choices must be 0 (all labels) or at least 2, got " + o.choices);
        if (o.frames < 1) throw new IllegalArgumentException("--frames must be at least 1, got " + o.frames);
        if (!Files.isDirectory(o.images)) throw new DataException(o.images + ": the --images directory does not exist");
        InputFormat format = o.format != null ? o.format : InputFormat.detect(o.input);
        if (format == InputFormat.COCO && o.task != Task.GROUNDING) {
            throw new IllegalArgumentException("COCO input is for --task grounding; give " + o.task.cliName() + " rows as CSV or JSONL");
        }
        Path out = o.out.toAbsolutePath().normalize();
        if (Files.exists(out) && !Files.isDirectory(out)) throw new DataException(out + " exists and is not a directory");
        String name = o.name != null ? o.name : out.getFileName().toString();
        if (name.isBlank() || name.contains("/") || name.contains("\\")) throw new IllegalArgumentException("--name must be a plain name, got '" + name + "'");

        boolean makesImages = (o.task == Task.REGION && o.drawRegion) || o.task == Task.MULTIVIEW;
        Context ctx = new Context(o, new ImageFiles(o.images.toAbsolutePath().normalize(), out, ImageFiles.extension(o.imageFormat)), log);
        try (ProgressBar bar = new ProgressBar(log, ProgressBar.terminal(), "convert", 0, 0)) {
            ctx.bar = bar;
            if (format == InputFormat.COCO) {
                GroundingTask.coco(o.input, ctx);
            } else {
                List<Row> rows = RowReader.read(o.input, format, o.columns, (place, why) -> ctx.reject(place, why, null));
                TaskConverter t = switch (o.task) {
                    case CLASSIFICATION -> new ClassificationTask(o, rows);
                    case GROUNDING -> new GroundingTask(o);
                    case REGION -> new RegionTask(o);
                    case MULTIVIEW -> new MultiViewTask(o);
                    case VIDEO -> new VideoTask(o);
                    case VQA -> new VqaTask();
                };
                t.convert(rows, ctx);
            }
        }

        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        Path annotation = out.resolve(name + ".jsonl");
        Path rejectedFile = out.resolve(name + ".rejected.jsonl");
        Path meta = out.resolve("meta.json");
        if (!ctx.rejected.isEmpty()) Jsonl.writeAll(rejectedFile, ctx.rejected);
        Jsonl.writeAll(annotation, ctx.samples);
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("root", (makesImages ? out : o.images.toAbsolutePath().normalize()).toString() + "/");
        entry.put("annotation", annotation.toString());
        entry.put("data_augment", false);
        entry.put("repeat_time", 1);
        entry.put("length", ctx.samples.size());
        ObjectNode metaNode = JsonNodeFactory.instance.objectNode();
        metaNode.set(name, entry);
        Jsonl.writePretty(meta, metaNode);
        return new Result(ctx.samples.size(), ctx.rejected.size(), annotation, meta, ctx.rejected.isEmpty() ? null : rejectedFile);
    }

    /** One task's conversion of the rows. */
    interface TaskConverter {
        void convert(List<Row> rows, Context ctx);
    }

    /** State of a run: the samples made, the rows rejected, the images. */
    static final class Context {
        final ConvertOptions opt;
        final ImageFiles images;
        final PrintStream log;
        final List<ObjectNode> samples = new ArrayList<>();
        final List<ObjectNode> rejected = new ArrayList<>();
        ProgressBar bar;
        private long seen;

        Context(ConvertOptions opt, ImageFiles images, PrintStream log) {
            this.opt = opt;
            this.images = images;
            this.log = log;
        }

        /**
         * A bad row: with {@code --on-error fail} the run stops here, naming it; with {@code skip} it is reported on
         * stderr and in the rejected file, and left out.
         */
        void reject(String place, String reason, JsonNode row) {
            if (opt.onError == OnError.FAIL) {
                throw new BadRow(place, reason + " (use --on-error skip to leave such rows out)");
            }
            log.println("tessera: skipped " + place + ": " + reason);
            ObjectNode r = JsonNodeFactory.instance.objectNode();
            r.put("place", place);
            r.put("reason", reason);
            if (row != null) r.set("row", row);
            rejected.add(r);
        }

        /** Runs {@code body} for one row, turning its bad-row exception into a rejection. */
        void each(Row row, Runnable body) {
            try {
                body.run();
            } catch (BadRow e) {
                reject(e.place(), e.reason(), row.fields());
            }
            if (bar != null) bar.update(++seen);
        }

        void emit(ObjectNode sample) {
            samples.add(sample);
        }

        /** The id a sample gets: the row's {@code id} when it has one, else its position in the output. */
        JsonNode id(Row row) {
            JsonNode id = row == null ? null : row.get("id");
            return id != null && id.isValueNode() ? id : JsonNodeFactory.instance.numberNode(samples.size());
        }
    }

    // ---------------------------------------------------------------- sample building

    /** A single-image sample: id, image, width, height, conversations. */
    static ObjectNode single(JsonNode id, String image, ImageFiles.Size size, List<String[]> turns) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.set("id", id);
        s.put("image", ImageFiles.portable(image));
        s.put("width", size.width());
        s.put("height", size.height());
        s.set("conversations", conversations(turns));
        return s;
    }

    /** A several-image sample: id, image list, width_list, height_list, conversations. */
    static ObjectNode multi(JsonNode id, List<String> images, List<ImageFiles.Size> sizes, List<String[]> turns) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.set("id", id);
        ArrayNode im = s.putArray("image");
        for (String i : images) im.add(ImageFiles.portable(i));
        ArrayNode w = s.putArray("width_list");
        ArrayNode h = s.putArray("height_list");
        for (ImageFiles.Size z : sizes) {
            w.add(z.width());
            h.add(z.height());
        }
        s.set("conversations", conversations(turns));
        return s;
    }

    /** Turns as (human, gpt) pairs. */
    static ArrayNode conversations(List<String[]> turns) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String[] t : turns) {
            a.addObject().put("from", "human").put("value", t[0]);
            a.addObject().put("from", "gpt").put("value", t[1]);
        }
        return a;
    }

    /** A one-turn conversation. */
    static List<String[]> oneTurn(String human, String gpt) {
        List<String[]> l = new ArrayList<>(1);
        l.add(turn(human, gpt));
        return l;
    }

    /** {@code [human, gpt]}. */
    static String[] turn(String human, String gpt) {
        return new String[] {human, gpt};
    }
}
