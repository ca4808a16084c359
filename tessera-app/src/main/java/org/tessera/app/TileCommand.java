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
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.tessera.core.io.Npy;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.Box;
import org.tessera.vision.tiling.MultiViewCanvas;
import org.tessera.vision.tiling.PlanOverlay;
import org.tessera.vision.tiling.Tile;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TilePlan;
import org.tessera.vision.tiling.TilingStrategy;
import org.tessera.vision.tiling.VideoFrames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera tile}: shows (and exports) what the vision encoder will see of an image. */
@Command(name = "tile", mixinStandardHelpOptions = true,
        description = {"Plan the tiles of an image as a model would see them: the grid, each tile's box, the image-token "
                + "count and the input layout. Optionally writes the normalised tiles as .npy and an overlay PNG.",
                "With --strategy multiview, IMAGE... are camera views composed into one canvas (six nuScenes views by "
                + "default); with --strategy video, IMAGE... are frame files or one folder of them."})
public final class TileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image or PDF file (several for multiview / video, or a folder of frames).")
    List<Path> images;

    @Mixin
    TilingCliOptions tiling;

    @Mixin
    ImageInputOptions input;

    @Option(names = "--json", description = "Print only a JSON object describing the plan.")
    boolean json;

    @Option(names = "--npy", paramLabel = "FILE", description = "Write the normalised tiles as float32 [tiles, 3, S, S].")
    Path npy;

    @Option(names = "--overlay", paramLabel = "FILE.png", description = "Draw the tiles over the image into this PNG.")
    Path overlay;

    @Option(names = "--frames", paramLabel = "N", description = "Video: frames to sample evenly (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int frames = VideoFrames.DEFAULT_FRAMES;

    @Option(names = "--labels", paramLabel = "A,B,...", split = ",",
            description = "Multiview: camera labels in the order of the images (default: the six nuScenes cameras).")
    List<String> labels;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String name = tiling.strategy.trim().toLowerCase(Locale.ROOT);
        ObjectNode out;
        switch (name) {
            case "video" -> out = video();
            case "multiview" -> out = multiview();
            default -> {
                if (images.size() != 1) {
                    throw new IllegalArgumentException("--strategy " + name + " takes one image, got " + images.size()
                            + " (multiview and video take several)");
                }
                TilingStrategy strategy = tiling.create(name);
                RgbImage image = ImageLoader.load(images.get(0), input.toLoadOptions());
                out = single(strategy, image, images.get(0).toString());
            }
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(new ObjectMapper().writeValueAsString(out));
        } else {
            printSummary(pw, out);
        }
        pw.flush();
        return 0;
    }

    private ObjectNode single(TilingStrategy strategy, RgbImage image, String source) throws IOException {
        TilePlan plan = strategy.plan(image.width(), image.height());
        if (npy != null) writeNpy(strategy.render(image, plan));
        if (overlay != null) writeOverlay(image, plan);
        ObjectNode o = describe(plan);
        o.put("image", source);
        return o;
    }

    private ObjectNode multiview() throws IOException {
        List<String> names = labels != null ? labels
                : images.size() == MultiViewCanvas.NUSCENES_ORDER.size() ? MultiViewCanvas.NUSCENES_ORDER : null;
        if (names == null) {
            names = new ArrayList<>();
            for (Path p : images) names.add(p.getFileName().toString());
        }
        if (names.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " views but " + names.size() + " labels");
        }
        List<MultiViewCanvas.View> views = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            views.add(new MultiViewCanvas.View(names.get(i), ImageLoader.load(images.get(i), input.toLoadOptions())));
        }
        MultiViewCanvas canvas = MultiViewCanvas.driving();
        RgbImage composed = canvas.compose(views);
        ObjectNode o = single(tiling.create("internvl"), composed, "multiview canvas");
        o.put("strategy", "multiview");
        ArrayNode v = o.putArray("views");
        for (int i = 0; i < views.size(); i++) {
            ObjectNode e = v.addObject();
            e.put("label", names.get(i));
            e.put("image", images.get(i).toString());
            e.set("box", box(canvas.viewBox(i)));
        }
        return o;
    }

    private ObjectNode video() throws IOException {
        if (overlay != null) throw new IllegalArgumentException("--overlay draws single images and multiview canvases, not videos");
        List<Path> all = AskCommand.frameFiles(images);
        int[] idx = VideoFrames.sampleIndices(all.size(), frames);
        TilingStrategy strategy = tiling.create("fixed");
        List<float[]> rendered = new ArrayList<>();
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("strategy", "video");
        o.put("frames_available", all.size());
        ArrayNode fr = o.putArray("frames");
        StringBuilder layout = new StringBuilder();
        int tokens = 0;
        int size = 0;
        for (int k = 0; k < idx.length; k++) {
            Path p = all.get(idx[k]);
            RgbImage img = ImageLoader.load(p, input.toLoadOptions());
            TilePlan plan = strategy.plan(img.width(), img.height());
            ObjectNode f = fr.addObject();
            f.put("index", idx[k]);
            f.put("file", p.toString());
            f.put("width", img.width());
            f.put("height", img.height());
            layout.append("Frame").append(k + 1).append(": ").append(plan.layout().describe()).append('\n');
            tokens += plan.imageTokens();
            size = plan.tileSize();
            if (npy != null) rendered.add(strategy.render(img, plan).data());
        }
        o.put("tiles", idx.length);
        o.put("thumbnail", false);
        o.put("tile_size", size);
        o.put("image_tokens", tokens);
        o.put("prompt", VideoFrames.promptPrefix(idx.length));
        o.put("layout", layout.toString());
        if (npy != null) {
            float[] all3 = new float[rendered.size() * 3 * size * size];
            for (int i = 0; i < rendered.size(); i++) System.arraycopy(rendered.get(i), 0, all3, i * 3 * size * size, 3 * size * size);
            writeNpy(new TileBatch(rendered.size(), size, all3));
        }
        return o;
    }

    /** A person's view of the plan: one summary line, the layout, and a table of tiles. */
    private void printSummary(PrintWriter pw, ObjectNode o) {
        pw.printf(Locale.ROOT, "%s: %d tiles of %d px, %d image tokens%n", o.get("strategy").asText(), o.get("tiles").asInt(),
                o.get("tile_size").asInt(), o.get("image_tokens").asInt());
        if (o.has("cols")) {
            pw.printf(Locale.ROOT, "image %dx%d, grid %d cols x %d rows%s, resized to %dx%d, canvas %dx%d%n",
                    o.get("width").asInt(), o.get("height").asInt(), o.get("cols").asInt(), o.get("rows").asInt(),
                    o.get("thumbnail").asBoolean() ? " + " + (o.get("strategy").asText().equals("ixc-hd") ? "global view" : "thumbnail") : "",
                    o.get("resized").get(0).asInt(), o.get("resized").get(1).asInt(), o.get("canvas").get(0).asInt(), o.get("canvas").get(1).asInt());
        }
        if (o.has("frames")) {
            for (var f : o.get("frames")) pw.printf("frame %d: %s%n", f.get("index").asInt(), f.get("file").asText());
        }
        pw.println("layout: " + o.get("layout").asText().strip());
        if (o.has("boxes")) {
            pw.println(" tile  kind        box in the image (x0, y0, x1, y1)");
            for (int i = 0; i < o.get("boxes").size(); i++) {
                var b = o.get("boxes").get(i);
                pw.printf(Locale.ROOT, "%5d  %-10s  %.1f, %.1f, %.1f, %.1f%n", i + 1, o.get("kinds").get(i).asText(),
                        b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble());
            }
        }
        if (npy != null) pw.println("tiles written to " + npy);
        if (overlay != null) pw.println("overlay written to " + overlay);
    }

    private void writeNpy(TileBatch batch) throws IOException {
        Npy.writeFloats(npy, batch.data(), batch.count(), 3, batch.size(), batch.size());
    }

    private void writeOverlay(RgbImage image, TilePlan plan) throws IOException {
        if (!ImageIO.write(PlanOverlay.draw(image, plan, 2048), "png", overlay.toFile())) {
            throw new IOException(overlay + ": could not write PNG");
        }
    }

    static ObjectNode describe(TilePlan plan) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("strategy", plan.strategy());
        o.put("width", plan.width());
        o.put("height", plan.height());
        o.put("cols", plan.cols());
        o.put("rows", plan.rows());
        o.put("tiles", plan.tiles().size());
        o.put("thumbnail", plan.hasThumbnail());
        o.put("tile_size", plan.tileSize());
        o.put("tokens_per_tile", plan.tokensPerTile());
        o.put("image_tokens", plan.imageTokens());
        o.putArray("resized").add(plan.resizedWidth()).add(plan.resizedHeight());
        o.putArray("canvas").add(plan.canvasWidth()).add(plan.canvasHeight());
        ArrayNode boxes = o.putArray("boxes");
        ArrayNode kinds = o.putArray("kinds");
        ArrayNode crops = o.putArray("crop_boxes");
        for (Tile t : plan.tiles()) {
            boxes.add(box(t.box()));
            kinds.add(t.kind().name().toLowerCase(Locale.ROOT));
            crops.add(box(plan.cropBoxes().get(t.index())));
        }
        o.put("layout", plan.layout().describe());
        o.put("normalization", plan.normalization().name());
        return o;
    }

    private static ArrayNode box(Box b) {
        ArrayNode a = new ObjectMapper().createArrayNode();
        a.add(round(b.x0())).add(round(b.y0())).add(round(b.x1())).add(round(b.y1()));
        return a;
    }

    /** Boxes are printed to 1/1000 pixel: enough to check, short to read. */
    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
