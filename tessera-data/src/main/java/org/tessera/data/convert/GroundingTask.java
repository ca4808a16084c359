package org.tessera.data.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;

/**
 * Grounding in InternVL's format: for every image, one turn per referred name (an expression, or a COCO category),
 * <pre>
 * human: &lt;image&gt;\nPlease provide the bounding box coordinate of the region this sentence describes: &lt;ref&gt;NAME&lt;/ref&gt;
 * gpt:   &lt;ref&gt;NAME&lt;/ref&gt;&lt;box&gt;[[x1, y1, x2, y2], …]&lt;/box&gt;
 * </pre>
 * ({@code <image>\n} only in the first turn), boxes in 0–1000 of the image's width and height (see
 * {@link PixelBox#normalised}). Rows ({@code image}, {@code ref}, a box) are grouped by image in order of first
 * appearance, and boxes of the same name in one image share a turn. A COCO file gives one sample per image with
 * annotations, one turn per category; images without annotations are counted and reported, not written.
 */
final class GroundingTask implements Converter.TaskConverter {
    static final String PROMPT = "Please provide the bounding box coordinate of the region this sentence describes: ";
    private final ConvertOptions o;

    GroundingTask(ConvertOptions o) {
        this.o = o;
    }

    /** Boxes per name of one image, names in first-appearance order. */
    private static final class Group {
        final String image;
        final Row first;
        final Map<String, List<int[]>> byName = new LinkedHashMap<>();

        Group(String image, Row first) {
            this.image = image;
            this.first = first;
        }
    }

    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        Map<String, List<Row>> byImage = new LinkedHashMap<>();
        for (Row r : rows) {
            String img = r.text("image");
            if (img == null) {
                ctx.each(r, () -> { throw new BadRow(r.place(), "no \"image\" value"); });
                continue;
            }
            byImage.computeIfAbsent(img, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> e : byImage.entrySet()) {
            Group g = new Group(e.getKey(), e.getValue().get(0));
            for (Row r : e.getValue()) {
                ctx.each(r, () -> {
                    String name = r.require("ref").strip();
                    PixelBox box = PixelBox.fromRow(r, o.boxFormat);
                    ImageFiles.Size size = ctx.images.size(r.place(), g.image);
                    int[] n = box.inside(r.place(), size.width(), size.height()).normalised(size.width(), size.height());
                    g.byName.computeIfAbsent(name, k -> new ArrayList<>()).add(n);
                });
            }
            if (!g.byName.isEmpty()) {
                ctx.emit(Converter.single(ctx.id(g.first), g.image, ctx.images.size(g.first.place(), g.image), turns(g.byName)));
            }
        }
    }

    static List<String[]> turns(Map<String, List<int[]>> byName) {
        List<String[]> turns = new ArrayList<>();
        for (Map.Entry<String, List<int[]>> n : byName.entrySet()) {
            String ref = "<ref>" + n.getKey() + "</ref>";
            turns.add(Converter.turn((turns.isEmpty() ? "<image>\n" : "") + PROMPT + ref, ref + "<box>" + PixelBox.boxList(n.getValue()) + "</box>"));
        }
        return turns;
    }

    // ---------------------------------------------------------------- COCO

    /** A COCO detection file: {@code images}, {@code annotations} (bbox [x, y, w, h]), {@code categories}. */
    static void coco(Path file, Converter.Context ctx) {
        JsonNode root;
        try {
            root = Jsonl.MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new DataException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String fname = file.getFileName().toString();
        for (String k : new String[] {"images", "annotations", "categories"}) {
            if (root == null || !root.path(k).isArray()) throw new DataException(file + ": not a COCO file (no \"" + k + "\" array)");
        }
        Map<Long, String> categories = new HashMap<>();
        for (JsonNode c : root.get("categories")) categories.put(c.path("id").asLong(), c.path("name").asText());

        Map<Long, JsonNode> images = new LinkedHashMap<>();
        for (JsonNode im : root.get("images")) images.put(im.path("id").asLong(), im);
        record Ann(String place, JsonNode node) {}
        Map<Long, List<Ann>> anns = new HashMap<>();
        int i = 0;
        for (JsonNode a : root.get("annotations")) {
            String place = fname + " annotations[" + i++ + "] (id " + a.path("id").asText("?") + ")";
            long img = a.path("image_id").asLong(Long.MIN_VALUE);
            if (!images.containsKey(img)) {
                ctx.reject(place, "image_id " + a.path("image_id").asText("missing") + " is not in \"images\"", a);
                continue;
            }
            if (!categories.containsKey(a.path("category_id").asLong(Long.MIN_VALUE))) {
                ctx.reject(place, "category_id " + a.path("category_id").asText("missing") + " is not in \"categories\"", a);
                continue;
            }
            anns.computeIfAbsent(img, k -> new ArrayList<>()).add(new Ann(place, a));
        }

        int without = 0;
        for (Map.Entry<Long, JsonNode> e : images.entrySet()) {
            JsonNode im = e.getValue();
            List<Ann> list = anns.get(e.getKey());
            if (list == null) {
                without++;
                continue;
            }
            String imPlace = fname + " image id " + e.getKey() + " (" + im.path("file_name").asText("no file_name") + ")";
            String path = im.path("file_name").asText(null);
            ImageFiles.Size size;
            try {
                if (path == null || path.isBlank()) throw new BadRow(imPlace, "no file_name");
                size = ctx.images.size(imPlace, path);
                int dw = im.path("width").asInt(size.width()), dh = im.path("height").asInt(size.height());
                if (dw != size.width() || dh != size.height()) {
                    throw new BadRow(imPlace, "COCO says " + dw + "x" + dh + " but the file is " + size.width() + "x" + size.height());
                }
            } catch (BadRow b) {
                ctx.reject(b.place(), b.reason() + " (its " + list.size() + " annotation" + (list.size() == 1 ? "" : "s") + " left out)", im);
                continue;
            }
            Map<String, List<int[]>> byName = new LinkedHashMap<>();
            for (Ann ann : list) {
                String place = ann.place();
                JsonNode a = ann.node();
                try {
                    PixelBox box = PixelBox.of(PixelBox.numbers(place, a.path("bbox")), PixelBox.Format.XYWH);
                    int[] n = box.inside(place, size.width(), size.height()).normalised(size.width(), size.height());
                    byName.computeIfAbsent(categories.get(a.path("category_id").asLong()), k -> new ArrayList<>()).add(n);
                } catch (BadRow b) {
                    ctx.reject(b.place(), b.reason(), a);
                }
            }
            if (!byName.isEmpty()) {
                JsonNode id = im.path("id");
                ctx.emit(Converter.single(id.isValueNode() ? id : ctx.id(null), path, size, turns(byName)));
            }
            if (ctx.bar != null) ctx.bar.update(ctx.samples.size());
        }
        if (without > 0) {
            ctx.log.println("tessera: " + without + " image" + (without == 1 ? "" : "s") + " in " + fname
                    + " have no annotations; no grounding sample is made for them");
        }
    }
}
