package org.tessera.app.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tessera.data.OnError;
import org.tessera.data.convert.ConvertOptions;
import org.tessera.data.convert.Converter;
import org.tessera.data.convert.InputFormat;
import org.tessera.data.convert.PixelBox;
import org.tessera.data.convert.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera data convert}: task data (CSV, JSONL, COCO) to InternVL's fine-tuning format (Mini-InternVL's domain adaptation). */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert task data to InternVL's fine-tuning format: a meta JSON and a JSONL of conversations.",
                "Example: tessera data convert --task grounding --in instances.json --images coco/ --out data/coco-ground"})
public final class DataConvertCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "classification, grounding, region, multiview, video or vqa.")
    String task;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Input rows: CSV with a header row, JSONL, or a COCO detection file (grounding).")
    Path in;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Directory the rows' image paths are relative to.")
    Path images;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory: NAME.jsonl, meta.json, images/ for made images.")
    Path out;

    @Option(names = "--format", paramLabel = "FMT", description = "csv, jsonl or coco (default: from the file name).")
    String format;

    @Option(names = "--name", paramLabel = "NAME", description = "Dataset name in meta.json and the file names (default: the output directory's name).")
    String name;

    @Option(names = "--on-error", paramLabel = "MODE", defaultValue = "fail",
            description = "Bad rows (missing image, box outside the image, unknown label): fail (default) stops at the first, naming it; skip reports each and leaves it out.")
    String onError;

    @Option(names = "--column", paramLabel = "FIELD=COLUMN", description = "Read FIELD (image, label, ref, question, answer, bbox, ...) from another column; repeatable.")
    Map<String, String> columns = new LinkedHashMap<>();

    @Option(names = "--labels", split = ",", paramLabel = "A,B,...", description = "Classification: the candidate labels in option order (default: all labels in the input).")
    List<String> labels;

    @Option(names = "--labels-file", paramLabel = "FILE", description = "Classification: the candidate labels, one per line.")
    Path labelsFile;

    @Option(names = "--choices", paramLabel = "N", defaultValue = "0", description = "Classification: options per question, the true label and N-1 random others (default 0: all labels).")
    int choices;

    @Option(names = "--answer", paramLabel = "KIND", defaultValue = "label", description = "Classification: answer with the label (default) or the option letter.")
    String answer;

    @Option(names = "--question", paramLabel = "TEXT", description = "Classification: the question before the options (default: \"What is the category of this image?\").")
    String question;

    @Option(names = "--box-format", paramLabel = "FMT", defaultValue = "xyxy", description = "Grounding/region rows: bbox as xyxy (default) or xywh, in pixels. COCO is always xywh.")
    String boxFormat;

    @Option(names = "--region", paramLabel = "STYLE", defaultValue = "draw", description = "Region: draw the box on a copy of the image (default) or write its coords in the question.")
    String region;

    @Option(names = "--views", split = ",", paramLabel = "CAM,...", description = "Multi-view: camera labels in canvas order (default: the six nuScenes cameras).")
    List<String> views;

    @Option(names = "--view-size", paramLabel = "WxH", defaultValue = "896x448", description = "Multi-view: size of each view in the canvas (default: ${DEFAULT-VALUE}).")
    String viewSize;

    @Option(names = "--view-columns", paramLabel = "N", defaultValue = "3", description = "Multi-view: views per canvas row (default: ${DEFAULT-VALUE}).")
    int viewColumns;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "8", description = "Video: frames sampled per clip (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--image-format", paramLabel = "FMT", defaultValue = "jpg", description = "Made images (drawn regions, canvases): jpg (default, quality 0.95) or png.")
    String imageFormat;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed for the classification distractors (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ConvertOptions o = new ConvertOptions(Task.parse(task), in, images, out);
        if (format != null) o.format = InputFormat.parse(format);
        o.name = name;
        o.onError = onError(onError);
        o.columns = columns;
        if (labelsFile != null) {
            List<String> l = new ArrayList<>();
            for (String s : Files.readAllLines(labelsFile)) if (!s.isBlank()) l.add(s.strip());
            o.labels = l;
        } else if (labels != null) {
            o.labels = labels.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        o.choices = choices;
        o.answerLetter = switch (answer.toLowerCase(Locale.ROOT)) {
            case "label" -> false;
            case "letter" -> true;
            default -> throw new IllegalArgumentException("--answer must be label or letter, got '" + answer + "'");
        };
        if (question != null) o.question = question;
        o.boxFormat = PixelBox.Format.parse(boxFormat);
        o.drawRegion = switch (region.toLowerCase(Locale.ROOT)) {
            case "draw" -> true;
            case "coords" -> false;
            default -> throw new IllegalArgumentException("--region must be draw or coords, got '" + region + "'");
        };
        if (views != null) o.views = views.stream().map(String::strip).toList();
        String[] wh = viewSize.toLowerCase(Locale.ROOT).split("x");
        try {
            o.viewWidth = Integer.parseInt(wh[0]);
            o.viewHeight = Integer.parseInt(wh[1]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--view-size must be WIDTHxHEIGHT, got '" + viewSize + "'");
        }
        o.viewColumns = viewColumns;
        o.frames = frames;
        o.imageFormat = imageFormat;
        o.seed = seed;

        Converter.Result r = Converter.run(o, System.err);
        PrintWriter pw = spec.commandLine().getOut();
        pw.println("wrote " + r.samples() + " sample" + (r.samples() == 1 ? "" : "s") + " to " + r.annotation() + " (meta: " + r.meta() + ")");
        if (r.rejected() > 0) pw.println("left out " + r.rejected() + " bad row" + (r.rejected() == 1 ? "" : "s") + ", listed in " + r.rejectedFile());
        pw.flush();
        return 0;
    }

    static OnError onError(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fail" -> OnError.FAIL;
            case "skip" -> OnError.SKIP;
            default -> throw new IllegalArgumentException("--on-error must be fail or skip, got '" + s + "'");
        };
    }
}
