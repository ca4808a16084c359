package org.tessera.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.tessera.api.Answer;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.vision.tiling.TilePlan;
import org.tessera.vision.tiling.VideoFrames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera ask}: one question about images (or a PDF page, or video frames), the answer streamed to stdout
 * as it is generated. With {@code --json}, one JSON object instead: answer, token counts, timings, tile plans.
 */
@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask a question about one or more images and stream the answer.",
                "Example: tessera ask --model models/InternVL2_5-1B --image receipt.png \"What is the total?\""})
public final class AskCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--image", paramLabel = "FILE", description = "An image (PNG, JPEG, WebP, TIFF, BMP, GIF) or PDF; repeat for several.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--pdf", paramLabel = "FILE", description = "A PDF whose --page is the image (added after any --image).")
    Path pdf;

    @Option(names = "--video", description = "The --image files (or the one folder given) are the frames of a video: sample --frames of them, one tile each.")
    boolean video;

    @Option(names = "--frames", paramLabel = "N", description = "Video: frames to sample evenly (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int frames = VideoFrames.DEFAULT_FRAMES;

    @Mixin
    ModelTilingOptions tiling;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ImageInputOptions input;

    @Option(names = "--json", description = "Print one JSON object (answer, tokens, timings, tile plans) instead of streaming text.")
    boolean json;

    @Option(names = "--show-prompt", description = "Print the prompt text (image tokens expanded) to stderr before answering.")
    boolean showPrompt;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question.")
    String question;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Request request = request();
        PrintWriter out = spec.commandLine().getOut();
        try (VisionLanguageModel vlm = modelOptions.load(input)) {
            if (showPrompt) {
                spec.commandLine().getErr().println(vlm.promptText(request));
                spec.commandLine().getErr().flush();
            }
            Progress progress = new Progress(System.err, !json && Progress.terminal());
            Answer a;
            if (json) {
                a = vlm.ask(request);
                out.println(toJson(vlm, a).toPrettyString());
            } else {
                a = vlm.ask(request, progress.listener(Progress.answerPrinter(out)));
                progress.clear();
                out.println();
            }
            out.flush();
            return 0;
        }
    }

    Request request() throws IOException {
        List<ImageInput> in = new ArrayList<>();
        if (video) {
            List<Path> all = frameFiles(images);
            for (int i : VideoFrames.sampleIndices(all.size(), frames)) in.add(ImageInput.file(all.get(i)));
        } else {
            for (Path p : images) in.add(ImageInput.pdfPage(p, input.page)); // the page only matters for a PDF
        }
        if (pdf != null) {
            if (video) throw new IllegalArgumentException("--pdf cannot be a video frame");
            in.add(ImageInput.pdfPage(pdf, input.page));
        }
        Tiling t = tiling.toTiling();
        Request r = video ? Request.of(question).withVideoFrames(in) : Request.of(question).withImages(in);
        return r.withTiling(t).withSampling(sampling.toSampling());
    }

    /** Frame files: the files given, or the sorted files of the one folder given. */
    static List<Path> frameFiles(List<Path> args) throws IOException {
        if (args.isEmpty()) throw new IllegalArgumentException("--video needs frame files (--image FILE ...) or one folder of them");
        List<Path> all = new ArrayList<>();
        if (args.size() == 1 && Files.isDirectory(args.get(0))) {
            try (Stream<Path> s = Files.list(args.get(0))) {
                s.filter(Files::isRegularFile).sorted().forEach(all::add);
            }
            if (all.isEmpty()) throw new IllegalArgumentException(args.get(0) + ": the folder has no frame files");
        } else {
            all.addAll(args);
        }
        return all;
    }

    static ObjectNode toJson(VisionLanguageModel vlm, Answer a) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model", vlm.directory().toString());
        o.put("answer", a.text());
        o.put("finish_reason", a.finishReason().name().toLowerCase(java.util.Locale.ROOT));
        o.put("prompt_tokens", a.promptTokens());
        o.put("completion_tokens", a.completionTokens());
        o.put("tiles", a.tiles());
        ObjectNode t = o.putObject("timings");
        t.put("vision_s", a.visionNanos() / 1e9);
        t.put("prefill_s", a.prefillNanos() / 1e9);
        t.put("decode_s", a.decodeNanos() / 1e9);
        t.put("prefill_tokens_per_s", a.prefillTokensPerSecond());
        t.put("decode_tokens_per_s", a.decodeTokensPerSecond());
        ArrayNode plans = o.putArray("plans");
        for (TilePlan p : a.plans()) plans.add(TileCommand.describe(p));
        return o;
    }
}
