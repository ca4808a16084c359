package org.tessera.data.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.data.Jsonl;
import org.tessera.data.OnError;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.VideoFrames;

/** {@code data convert} on small synthetic data sets: every task's format, bad rows, and all-or-nothing output. */
class ConverterTest {
    @TempDir
    Path tmp;
    Path images;
    Path out;
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        images = Files.createDirectories(tmp.resolve("images"));
        out = tmp.resolve("out");
    }

    /** A w × h PNG with a gradient and a rectangle, drawn with Java2D. */
    static void png(Path file, int w, int h) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = bi.createGraphics();
        for (int x = 0; x < w; x++) {
            g.setColor(new Color(x * 255 / w, 80, 255 - x * 255 / w));
            g.drawLine(x, 0, x, h);
        }
        g.setColor(Color.WHITE);
        g.fillRect(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ImageIO.write(bi, "png", file.toFile());
    }

    Path write(String name, String... lines) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    Converter.Result run(ConvertOptions o) {
        return Converter.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    static List<JsonNode> lines(Path p) {
        return Jsonl.read(p, null).stream().map(l -> (JsonNode) l.value()).toList();
    }

    static String human(JsonNode sample, int turn) {
        return sample.get("conversations").get(2 * turn).get("value").asText();
    }

    static String gpt(JsonNode sample, int turn) {
        return sample.get("conversations").get(2 * turn + 1).get("value").asText();
    }

    /** Files in the output directory, hidden ones included. */
    List<String> outFiles() throws IOException {
        if (!Files.exists(out)) return List.of();
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- classification

    @Test
    void classificationIsAMultipleChoiceQuestionAnsweredWithTheLabel() throws IOException {
        png(images.resolve("a.png"), 40, 30);
        png(images.resolve("sub/b.png"), 20, 50);
        Path in = write("in.csv", "image,label", "a.png,cat", "sub/b.png,dog", "a.png,bird");
        Converter.Result r = run(new ConvertOptions(Task.CLASSIFICATION, in, images, out));
        assertEquals(3, r.samples());
        assertEquals(0, r.rejected());
        List<JsonNode> s = lines(out.resolve("out.jsonl"));
        assertEquals("a.png", s.get(0).get("image").asText());
        assertEquals(40, s.get(0).get("width").asInt());
        assertEquals(30, s.get(0).get("height").asInt());
        assertEquals(0, s.get(0).get("id").asInt());
        assertEquals("<image>\nWhat is the category of this image?\nA. cat\nB. dog\nC. bird\n"
                + "Answer with the option's text from the given choices directly.", human(s.get(0), 0));
        assertEquals("cat", gpt(s.get(0), 0));
        assertEquals("dog", gpt(s.get(1), 0));
        assertEquals(50, s.get(1).get("height").asInt());
        assertEquals("human", s.get(0).get("conversations").get(0).get("from").asText());
        assertEquals("gpt", s.get(0).get("conversations").get(1).get("from").asText());

        JsonNode meta = Jsonl.MAPPER.readTree(out.resolve("meta.json").toFile()).get("out");
        assertEquals(images.toAbsolutePath().normalize() + "/", meta.get("root").asText());
        assertEquals(out.resolve("out.jsonl").toAbsolutePath().toString(), meta.get("annotation").asText());
        assertFalse(meta.get("data_augment").asBoolean());
        assertEquals(1, meta.get("repeat_time").asInt());
        assertEquals(3, meta.get("length").asInt());
        assertEquals(List.of("meta.json", "out.jsonl"), outFiles());
    }

    @Test
    void classificationLettersAndSampledChoices() throws IOException {
        png(images.resolve("a.png"), 10, 10);
        Path in = write("in.jsonl", "{\"image\": \"a.png\", \"label\": \"c\", \"id\": \"x7\"}");
        ConvertOptions o = new ConvertOptions(Task.CLASSIFICATION, in, images, out);
        o.labels = List.of("a", "b", "c", "d", "e");
        o.choices = 3;
        o.answerLetter = true;
        run(o);
        JsonNode s = lines(out.resolve("out.jsonl")).get(0);
        assertEquals("x7", s.get("id").asText());
        String q = human(s, 0);
        String[] lines = q.split("\n");
        assertEquals(1 + 1 + 3 + 1, lines.length, q);
        assertTrue(q.endsWith("Answer with the option's letter from the given choices directly."), q);
        String letter = gpt(s, 0);
        assertTrue(q.contains("\n" + letter + ". c\n"), q + " / " + letter);
    }

    @Test
    void unknownLabelFailsNamingItsPlaceAndWritesNothing() throws IOException {
        png(images.resolve("a.png"), 10, 10);
        Path in = write("in.csv", "image,label", "a.png,cat", "a.png,cow");
        ConvertOptions o = new ConvertOptions(Task.CLASSIFICATION, in, images, out);
        o.labels = List.of("cat", "dog");
        BadRow e = assertThrows(BadRow.class, () -> run(o));
        assertEquals("in.csv:3", e.place());
        assertTrue(e.getMessage().contains("label \"cow\" is not one of the 2 labels"), e.getMessage());
        assertEquals(List.of(), outFiles(), "a failed run writes no JSONL, no meta and leaves no partial file");
        assertFalse(Files.exists(out), "nor an empty output directory");
    }

    @Test
    void skippedRowsAreReportedAndKeptInTheRejectedFile() throws IOException {
        png(images.resolve("a.png"), 10, 10);
        Path in = write("in.csv", "image,label", "a.png,cat", "missing.png,dog", "\"a.png\",dog,extra", "a.png,", "a.png,dog");
        ConvertOptions o = new ConvertOptions(Task.CLASSIFICATION, in, images, out);
        o.onError = OnError.SKIP;
        Converter.Result r = run(o);
        assertEquals(2, r.samples());
        assertEquals(3, r.rejected());
        List<JsonNode> rej = lines(out.resolve("out.rejected.jsonl"));
        assertEquals(List.of("in.csv:4", "in.csv:3", "in.csv:5"), rej.stream().map(n -> n.get("place").asText()).toList());
        assertTrue(rej.get(0).get("reason").asText().contains("has 3 fields but the header has 2"), rej.get(0).toString());
        assertTrue(rej.get(1).get("reason").asText().contains("image missing.png not found"), rej.get(1).toString());
        assertEquals("missing.png", rej.get(1).get("row").get("image").asText());
        assertTrue(rej.get(2).get("reason").asText().contains("no \"label\" value"), rej.get(2).toString());
        String err = log.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("tessera: skipped in.csv:3: image missing.png not found"), err);
    }

    @Test
    void csvPlacesCountLinesAcrossQuotedNewlines() throws IOException {
        png(images.resolve("a.png"), 10, 10);
        Path in = write("in.csv", "image,question,answer", "a.png,\"two\nlines\",yes", "nope.png,q,a");
        BadRow e = assertThrows(BadRow.class, () -> run(new ConvertOptions(Task.VQA, in, images, out)));
        assertEquals("in.csv:4", e.place());
    }

    // ---------------------------------------------------------------- grounding

    @Test
    void cocoBoxesAreNormalisedTo1000RoundingHalfToEven() throws IOException {
        png(images.resolve("p.png"), 400, 200);
        png(images.resolve("q.png"), 100, 100);
        png(images.resolve("empty.png"), 10, 10);
        Path in = write("coco.json", """
                {"images": [{"id": 1, "file_name": "p.png", "width": 400, "height": 200},
                            {"id": 2, "file_name": "q.png", "width": 100, "height": 100},
                            {"id": 3, "file_name": "empty.png", "width": 10, "height": 10}],
                 "categories": [{"id": 5, "name": "car"}, {"id": 6, "name": "person"}],
                 "annotations": [
                   {"id": 10, "image_id": 1, "category_id": 6, "bbox": [1, 1, 99, 49]},
                   {"id": 11, "image_id": 1, "category_id": 5, "bbox": [200, 100, 200, 100]},
                   {"id": 12, "image_id": 1, "category_id": 6, "bbox": [0.5, 0, 10, 10]},
                   {"id": 13, "image_id": 2, "category_id": 5, "bbox": [10, 10, 20, 20.0001]}]}""");
        Converter.Result r = run(new ConvertOptions(Task.GROUNDING, in, images, out));
        assertEquals(2, r.samples());
        List<JsonNode> s = lines(out.resolve("out.jsonl"));
        JsonNode p = s.get(0);
        assertEquals(1, p.get("id").asInt());
        assertEquals(400, p.get("width").asInt());
        // x = 1/400·1000 = 2.5 → 2 and y = 1/200·1000 = 5; x2 = 100/400·1000 = 250, y2 = 50/200·1000 = 250;
        // 0.5/400·1000 = 1.25 → 1; 10.5/400·1000 = 26.25 → 26.
        assertEquals("<image>\nPlease provide the bounding box coordinate of the region this sentence describes: <ref>person</ref>", human(p, 0));
        assertEquals("<ref>person</ref><box>[[2, 5, 250, 250], [1, 0, 26, 50]]</box>", gpt(p, 0));
        assertEquals("Please provide the bounding box coordinate of the region this sentence describes: <ref>car</ref>", human(p, 1));
        assertEquals("<ref>car</ref><box>[[500, 500, 1000, 1000]]</box>", gpt(p, 1));
        assertEquals("<ref>car</ref><box>[[100, 100, 300, 300]]</box>", gpt(s.get(1), 0));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("1 image in coco.json have no annotations"), log.toString());
    }

    @Test
    void cocoBadAnnotationsAndImagesAreNamed() throws IOException {
        png(images.resolve("p.png"), 100, 50);
        png(images.resolve("wrong.png"), 30, 30);
        Path in = write("coco.json", """
                {"images": [{"id": 1, "file_name": "p.png", "width": 100, "height": 50},
                            {"id": 2, "file_name": "gone.png", "width": 10, "height": 10},
                            {"id": 3, "file_name": "wrong.png", "width": 64, "height": 64}],
                 "categories": [{"id": 1, "name": "x"}],
                 "annotations": [
                   {"id": 1, "image_id": 1, "category_id": 1, "bbox": [90, 10, 20, 10]},
                   {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]},
                   {"id": 3, "image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]},
                   {"id": 4, "image_id": 9, "category_id": 1, "bbox": [0, 0, 1, 1]},
                   {"id": 5, "image_id": 3, "category_id": 1, "bbox": [0, 0, 1, 1]},
                   {"id": 6, "image_id": 1, "category_id": 2, "bbox": [0, 0, 1, 1]}]}""");
        BadRow e = assertThrows(BadRow.class, () -> run(new ConvertOptions(Task.GROUNDING, in, images, out)));
        assertEquals("coco.json annotations[3] (id 4)", e.place());
        ConvertOptions o = new ConvertOptions(Task.GROUNDING, in, images, out);
        o.onError = OnError.SKIP;
        Converter.Result r = run(o);
        assertEquals(1, r.samples());
        List<String> reasons = lines(out.resolve("out.rejected.jsonl")).stream()
                .map(n -> n.get("place").asText() + ": " + n.get("reason").asText()).toList();
        assertEquals(5, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("coco.json annotations[3] (id 4): image_id 9 is not in \"images\""), reasons.toString());
        assertTrue(reasons.get(1).startsWith("coco.json annotations[5] (id 6): category_id 2 is not in \"categories\""), reasons.toString());
        assertTrue(reasons.get(2).startsWith("coco.json annotations[0] (id 1): box [90, 10, 110, 20] is outside the 100x50 image"), reasons.toString());
        assertTrue(reasons.get(3).startsWith("coco.json image id 2 (gone.png): image gone.png not found"), reasons.toString());
        assertTrue(reasons.get(4).startsWith("coco.json image id 3 (wrong.png): COCO says 64x64 but the file is 30x30"), reasons.toString());
        assertEquals("<ref>x</ref><box>[[0, 0, 100, 200]]</box>", gpt(lines(out.resolve("out.jsonl")).get(0), 0));
    }

    @Test
    void referringExpressionsAreGroupedPerImage() throws IOException {
        png(images.resolve("a.png"), 200, 100);
        png(images.resolve("b.png"), 100, 100);
        Path in = write("refs.jsonl",
                "{\"image\": \"a.png\", \"ref\": \"the red car\", \"bbox\": [0, 0, 100, 50]}",
                "{\"image\": \"b.png\", \"ref\": \"a dog\", \"bbox\": \"10, 10, 20, 20\"}",
                "{\"image\": \"a.png\", \"ref\": \"the sky\", \"x1\": 0, \"y1\": 0, \"x2\": 200, \"y2\": 10}",
                "{\"image\": \"a.png\", \"ref\": \"the red car\", \"bbox\": [100, 50, 200, 100]}");
        run(new ConvertOptions(Task.GROUNDING, in, images, out));
        List<JsonNode> s = lines(out.resolve("out.jsonl"));
        assertEquals(2, s.size());
        assertEquals("<ref>the red car</ref><box>[[0, 0, 500, 500], [500, 500, 1000, 1000]]</box>", gpt(s.get(0), 0));
        assertEquals("<ref>the sky</ref><box>[[0, 0, 1000, 100]]</box>", gpt(s.get(0), 1));
        assertTrue(human(s.get(0), 0).startsWith("<image>\n"));
        assertFalse(human(s.get(0), 1).contains("<image>"));
        assertEquals("<ref>a dog</ref><box>[[100, 100, 200, 200]]</box>", gpt(s.get(1), 0));
    }

    // ---------------------------------------------------------------- region, multi-view, video, vqa

    @Test
    void regionBoxIsDrawnOnACopyOrWrittenAsCoordinates() throws IOException {
        png(images.resolve("a.png"), 80, 60);
        Path in = write("r.csv", "image,x1,y1,x2,y2,question,answer", "a.png,10,20,50,40,What is in {box}?,a square",
                "a.png,0,0,8,6,Describe it.,stripes");
        ConvertOptions o = new ConvertOptions(Task.REGION, in, images, out);
        o.imageFormat = "png";
        run(o);
        List<JsonNode> s = lines(out.resolve("out.jsonl"));
        assertEquals("images/000000.png", s.get(0).get("image").asText());
        assertEquals("<image>\nWhat is in the region in the red box?", human(s.get(0), 0));
        assertEquals("<image>\nLook at the region in the red box. Describe it.", human(s.get(1), 0));
        RgbImage drawn = ImageLoader.load(out.resolve("images/000000.png"), ImageLoadOptions.defaults());
        RgbImage orig = ImageLoader.load(images.resolve("a.png"), ImageLoadOptions.defaults());
        assertEquals(80, drawn.width());
        for (int[] xy : new int[][] {{10, 20}, {49, 39}, {30, 20}, {11, 30}}) {
            assertEquals(255, drawn.get(xy[0], xy[1], 0));
            assertEquals(0, drawn.get(xy[0], xy[1], 1));
        }
        for (int[] xy : new int[][] {{9, 20}, {30, 30}, {50, 40}}) {
            for (int c = 0; c < 3; c++) assertEquals(orig.get(xy[0], xy[1], c), drawn.get(xy[0], xy[1], c), "outside the stroke");
        }
        JsonNode meta = Jsonl.MAPPER.readTree(out.resolve("meta.json").toFile()).get("out");
        assertEquals(out.toAbsolutePath().normalize() + "/", meta.get("root").asText(), "made images live under the output");

        Path out2 = tmp.resolve("coords");
        ConvertOptions c = new ConvertOptions(Task.REGION, in, images, out2);
        c.drawRegion = false;
        Converter.run(c, new PrintStream(log, true, StandardCharsets.UTF_8));
        JsonNode s0 = lines(out2.resolve("coords.jsonl")).get(0);
        assertEquals("a.png", s0.get("image").asText());
        assertEquals("<image>\nWhat is in <box>[[125, 333, 625, 667]]</box>?", human(s0, 0));
        assertEquals("<image>\nLook at the region <box>[[0, 0, 100, 100]]</box>. Describe it.",
                human(lines(out2.resolve("coords.jsonl")).get(1), 0));
    }

    @Test
    void regionOutsideTheImageIsABadRow() throws IOException {
        png(images.resolve("a.png"), 80, 60);
        Path in = write("r.csv", "image,bbox,question,answer", "a.png,\"[10, 20, 90, 40]\",q,a");
        BadRow e = assertThrows(BadRow.class, () -> run(new ConvertOptions(Task.REGION, in, images, out)));
        assertEquals("r.csv:2", e.place());
        assertTrue(e.reason().contains("box [10, 20, 90, 40] is outside the 80x60 image"), e.reason());
        assertEquals(List.of(), outFiles());
    }

    @Test
    void multiViewComposesOneLabelledCanvas() throws IOException {
        String[] cams = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT", "CAM_BACK_LEFT", "CAM_BACK", "CAM_BACK_RIGHT"};
        StringBuilder views = new StringBuilder();
        for (String c : cams) {
            png(images.resolve(c + ".png"), 64, 36);
            views.append(views.isEmpty() ? "" : ", ").append('"').append(c).append("\": \"").append(c).append(".png\"");
        }
        Path in = write("mv.jsonl", "{\"images\": {" + views + "}, \"question\": \"Is it safe to turn left?\", \"answer\": \"No.\"}",
                "{\"images\": {\"CAM_FRONT\": \"CAM_FRONT.png\"}, \"question\": \"q\", \"answer\": \"a\"}");
        ConvertOptions o = new ConvertOptions(Task.MULTIVIEW, in, images, out);
        o.viewWidth = 64;
        o.viewHeight = 32;
        o.onError = OnError.SKIP;
        Converter.Result r = run(o);
        assertEquals(1, r.samples());
        assertEquals(1, r.rejected());
        JsonNode s = lines(out.resolve("out.jsonl")).get(0);
        assertEquals("images/000000.jpg", s.get("image").asText());
        assertEquals(192, s.get("width").asInt());
        assertEquals(64, s.get("height").asInt());
        assertEquals("<image>\nIs it safe to turn left?", human(s, 0));
        RgbImage canvas = ImageLoader.load(out.resolve("images/000000.jpg"), ImageLoadOptions.defaults());
        assertEquals(192, canvas.width());
        assertTrue(lines(out.resolve("out.rejected.jsonl")).get(0).get("reason").asText().contains("no image for view CAM_FRONT_LEFT"));
    }

    @Test
    void videoFramesAreSampledAsTheModelCardsDo() throws IOException {
        for (int i = 0; i < 20; i++) png(images.resolve(String.format("clip/%05d.png", i)), 16, 12);
        Files.writeString(images.resolve("clip.mp4"), "not decoded");
        Path in = write("v.jsonl", "{\"video\": \"clip\", \"question\": \"What happens?\", \"answer\": \"Nothing.\"}",
                "{\"video\": \"clip.mp4\", \"question\": \"q\", \"answer\": \"a\"}");
        ConvertOptions o = new ConvertOptions(Task.VIDEO, in, images, out);
        o.frames = 4;
        o.onError = OnError.SKIP;
        run(o);
        JsonNode s = lines(out.resolve("out.jsonl")).get(0);
        int[] idx = VideoFrames.sampleIndices(20, 4);
        for (int k = 0; k < 4; k++) assertEquals(String.format("clip/%05d.png", idx[k]), s.get("image").get(k).asText());
        assertEquals(16, s.get("width_list").get(3).asInt());
        assertEquals(12, s.get("height_list").get(0).asInt());
        assertEquals("Frame1: <image>\nFrame2: <image>\nFrame3: <image>\nFrame4: <image>\nWhat happens?", human(s, 0));
        JsonNode rej = lines(out.resolve("out.rejected.jsonl")).get(0);
        assertEquals("v.jsonl:2", rej.get("place").asText());
        assertTrue(rej.get("reason").asText().contains("give the directory of its extracted frames"), rej.toString());
    }

    @Test
    void vqaPassesThroughAndChecksPlaceholders() throws IOException {
        png(images.resolve("a.png"), 30, 20);
        png(images.resolve("b.png"), 10, 10);
        Path in = write("q.jsonl",
                "{\"image\": \"a.png\", \"question\": \"What colour?\", \"answer\": \"Blue.\"}",
                "{\"id\": 9, \"image\": [\"a.png\", \"b.png\"], \"question\": \"Same?\", \"answer\": \"No.\"}",
                "{\"image\": \"a.png\", \"conversations\": [{\"from\": \"human\", \"value\": \"Look: <image>\\nWhat?\"},"
                        + " {\"from\": \"gpt\", \"value\": \"A box.\"}, {\"from\": \"human\", \"value\": \"Sure?\"}, {\"from\": \"gpt\", \"value\": \"Yes.\"}]}",
                "{\"image\": \"a.png\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image><image>\"}, {\"from\": \"gpt\", \"value\": \"x\"}]}");
        ConvertOptions o = new ConvertOptions(Task.VQA, in, images, out);
        o.onError = OnError.SKIP;
        Converter.Result r = run(o);
        assertEquals(3, r.samples());
        List<JsonNode> s = lines(out.resolve("out.jsonl"));
        assertEquals("<image>\nWhat colour?", human(s.get(0), 0));
        assertEquals("Blue.", gpt(s.get(0), 0));
        assertEquals(9, s.get(1).get("id").asInt());
        assertEquals("Image-1: <image>\nImage-2: <image>\nSame?", human(s.get(1), 0));
        assertEquals(10, s.get(1).get("width_list").get(1).asInt());
        assertEquals("Look: <image>\nWhat?", human(s.get(2), 0));
        assertEquals("Yes.", gpt(s.get(2), 1));
        assertEquals(30, s.get(2).get("width").asInt());
        assertTrue(lines(out.resolve("out.rejected.jsonl")).get(0).get("reason").asText().contains("2 <image> placeholders for 1 image"));
    }

    // ---------------------------------------------------------------- all or nothing

    @Test
    void aFailedRunLeavesAnEarlierOutputIntact() throws IOException {
        png(images.resolve("a.png"), 10, 10);
        Path good = write("good.csv", "image,question,answer", "a.png,q,a");
        run(new ConvertOptions(Task.VQA, good, images, out));
        byte[] before = Files.readAllBytes(out.resolve("out.jsonl"));
        Path bad = write("bad.csv", "image,question,answer", "a.png,q,a", "b.png,q,a");
        assertThrows(BadRow.class, () -> run(new ConvertOptions(Task.VQA, bad, images, out)));
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(out.resolve("out.jsonl")));
        assertEquals(List.of("meta.json", "out.jsonl"), outFiles());
    }

    @Test
    void cliNamesAndFormats() {
        assertEquals(Task.MULTIVIEW, Task.parse("multiview"));
        assertThrows(IllegalArgumentException.class, () -> Task.parse("segmentation"));
        assertEquals(InputFormat.COCO, InputFormat.detect(Path.of("x/instances.json")));
        assertEquals(InputFormat.JSONL, InputFormat.detect(Path.of("a.jsonl")));
        assertThrows(IllegalArgumentException.class, () -> InputFormat.detect(Path.of("a.txt")));
    }
}
