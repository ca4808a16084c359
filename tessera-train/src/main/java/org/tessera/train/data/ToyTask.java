package org.tessera.train.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A generated visual question-answering task in InternVL's fine-tuning format, for demonstrations and tests of
 * training: each image is a noisy grey square canvas with one coloured square in one of four quadrants; questions ask
 * for its colour or its position. Answering needs the image (the text alone says nothing), so a falling held-out loss
 * shows the vision path being used.
 *
 * <p>Writes {@code images/NNNNN.png}, {@code train.jsonl}, {@code eval.jsonl} (disjoint images) and {@code meta.json}
 * (InternVL's meta format naming the training file).
 */
public final class ToyTask {
    public static final String[] COLORS = {"red", "green", "blue", "yellow", "white", "black"};
    private static final int[][] RGB = {{220, 30, 30}, {30, 190, 40}, {40, 60, 230}, {235, 220, 30}, {250, 250, 250}, {10, 10, 10}};
    public static final String[] PLACES = {"top left", "top right", "bottom left", "bottom right"};

    private ToyTask() {}

    /** Writes {@code train} training and {@code eval} held-out examples of {@code size}×{@code size} px images. */
    public static void write(Path dir, int train, int eval, int size, long seed) {
        ObjectMapper om = new ObjectMapper();
        SplittableRandom r = new SplittableRandom(seed);
        try {
            Files.createDirectories(dir.resolve("images"));
            List<String> tr = new ArrayList<>(), ev = new ArrayList<>();
            for (int i = 0; i < train + eval; i++) {
                int color = r.nextInt(COLORS.length), place = r.nextInt(PLACES.length);
                String name = String.format("images/%05d.png", i);
                ImageIO.write(picture(size, color, place, r), "png", dir.resolve(name).toFile());
                boolean askColor = r.nextBoolean();
                ObjectNode n = om.createObjectNode();
                n.put("id", i);
                n.put("image", name);
                n.put("width", size);
                n.put("height", size);
                ArrayNode conv = n.putArray("conversations");
                conv.addObject().put("from", "human").put("value", "<image>\n" + (askColor ? "What color is the square?" : "Where is the square?"));
                conv.addObject().put("from", "gpt").put("value", askColor ? COLORS[color] : PLACES[place]);
                (i < train ? tr : ev).add(om.writeValueAsString(n));
            }
            Files.write(dir.resolve("train.jsonl"), tr);
            Files.write(dir.resolve("eval.jsonl"), ev);
            ObjectNode meta = om.createObjectNode();
            meta.putObject("toy_squares").put("root", ".").put("annotation", "train.jsonl").put("repeat_time", 1).put("length", train)
                    .put("data_augment", false);
            om.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("meta.json").toFile(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the toy task to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage picture(int size, int color, int place, SplittableRandom r) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int half = size / 2, side = Math.max(4, size * 3 / 8);
        int x0 = (place % 2) * half + r.nextInt(Math.max(1, half - side + 1));
        int y0 = (place / 2) * half + r.nextInt(Math.max(1, half - side + 1));
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int g = 110 + r.nextInt(40);
                int rgb = (g << 16) | (g << 8) | g;
                if (x >= x0 && x < x0 + side && y >= y0 && y < y0 + side) {
                    int[] c = RGB[color];
                    rgb = (clamp(c[0] + r.nextInt(21) - 10) << 16) | (clamp(c[1] + r.nextInt(21) - 10) << 8) | clamp(c[2] + r.nextInt(21) - 10);
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int clamp(int v) { return Math.max(0, Math.min(255, v)); }
}
