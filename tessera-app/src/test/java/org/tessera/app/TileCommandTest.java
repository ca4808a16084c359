package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.io.Npy;
import picocli.CommandLine;

/** {@code tessera tile} end to end, as a script would call it. */
class TileCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path png(String name, int w, int h) throws IOException {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) bi.setRGB(x, y, ((x * 7) & 0xFF) << 16 | ((y * 3) & 0xFF) << 8 | ((x + y) & 0xFF));
        }
        Path p = dir.resolve(name);
        ImageIO.write(bi, "png", p.toFile());
        return p;
    }

    @Test
    void jsonPlanForInternVL() throws IOException {
        Run r = run("tile", png("a.png", 1000, 600).toString(), "--json", "--max-tiles", "6");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals("internvl", j.get("strategy").asText());
        assertEquals(1000, j.get("width").asInt());
        assertEquals(600, j.get("height").asInt());
        assertEquals(3, j.get("cols").asInt());
        assertEquals(2, j.get("rows").asInt());
        assertEquals(7, j.get("tiles").asInt());
        assertTrue(j.get("thumbnail").asBoolean());
        assertEquals(1792, j.get("image_tokens").asInt());
        assertEquals(7, j.get("boxes").size());
        assertEquals("<img><IMG_CONTEXT×1792></img>", j.get("layout").asText());
        assertEquals(1000.0 / 3, j.get("boxes").get(0).get(2).asDouble(), 1e-3);
        assertEquals(1, r.out().strip().lines().count(), "--json prints only one JSON object");
    }

    @Test
    void hdLayoutAndTokens() throws IOException {
        Run r = run("tile", png("b.png", 1000, 600).toString(), "--json", "--strategy", "ixc-hd", "--max-tiles", "9");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals(1045, j.get("image_tokens").asInt());
        assertEquals(7, j.get("tiles").asInt());
        assertEquals("global", j.get("kinds").get(0).asText());
    }

    @Test
    void npyHoldsNormalisedTiles() throws IOException {
        Path npy = dir.resolve("t.npy");
        Run r = run("tile", png("c.png", 900, 450).toString(), "--json", "--npy", npy.toString());
        assertEquals(0, r.code(), r.err());
        var arr = Npy.readFloats(npy);
        int tiles = r.json().get("tiles").asInt();
        assertEquals(List.of(tiles, 3, 448, 448), toList(arr.shape()));
        // ImageNet normalisation keeps every value within [(0 - 0.485) / 0.229, (1 - 0.406) / 0.225]
        for (float v : arr.data()) assertTrue(v >= -2.12f && v <= 2.65f, "value " + v);
    }

    private static List<Integer> toList(int[] shape) {
        List<Integer> l = new ArrayList<>();
        for (int s : shape) l.add(s);
        return l;
    }

    @Test
    void overlayIsAPng() throws IOException {
        Path ov = dir.resolve("o.png");
        Run r = run("tile", png("d.png", 1600, 400).toString(), "--strategy", "catty", "--overlay", ov.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(ov.toFile());
        assertEquals(1600, img.getWidth());
        assertTrue(r.out().contains("catty:"), r.out());
    }

    @Test
    void multiviewAndVideo() throws IOException {
        List<String> args = new ArrayList<>(List.of("tile", "--json", "--strategy", "multiview"));
        for (int i = 0; i < 6; i++) args.add(png("v" + i + ".png", 160, 90).toString());
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals(13, r.json().get("tiles").asInt());
        assertEquals("CAM_FRONT", r.json().get("views").get(1).get("label").asText());

        Path frames = Files.createDirectory(dir.resolve("frames"));
        for (int i = 0; i < 20; i++) {
            Files.copy(png("f.png", 64, 48), frames.resolve(String.format("frame%03d.png", i)));
            Files.delete(dir.resolve("f.png"));
        }
        Run v = run("tile", frames.toString(), "--json", "--strategy", "video", "--frames", "4");
        assertEquals(0, v.code(), v.err());
        JsonNode j = v.json();
        assertEquals(4, j.get("tiles").asInt());
        assertEquals(1024, j.get("image_tokens").asInt());
        assertEquals("Frame1: <image>\nFrame2: <image>\nFrame3: <image>\nFrame4: <image>\n", j.get("prompt").asText());
        assertEquals(2, j.get("frames").get(0).get("index").asInt());
    }

    @Test
    void badInputGetsOneClearLine() throws IOException {
        Run missing = run("tile", dir.resolve("nope.png").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.png"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertFalse(missing.err().contains("Exception"), missing.err());

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, not an image");
        Run notImage = run("tile", text.toString());
        assertEquals(1, notImage.code());
        assertTrue(notImage.err().contains("notes.txt"), notImage.err());

        Run badStrategy = run("tile", png("e.png", 10, 10).toString(), "--strategy", "mosaic");
        assertEquals(1, badStrategy.code());
        assertTrue(badStrategy.err().contains("unknown tiling strategy 'mosaic'"), badStrategy.err());

        Run badTags = run("tile", png("g.png", 10, 10).toString(), "--strategy", "ixc-hd", "--tags", "1d");
        assertEquals(1, badTags.code());
        assertTrue(badTags.err().contains("ixc-hd has its own layout"), badTags.err());

        Run tooBig = run("tile", png("h.png", 300, 300).toString(), "--max-pixels", "1000");
        assertEquals(1, tooBig.code());
        assertTrue(tooBig.err().contains("h.png"), tooBig.err());
    }
}
