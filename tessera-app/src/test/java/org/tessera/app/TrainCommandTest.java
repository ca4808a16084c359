package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera train}: toy data, a short run whose output {@code tessera ask} loads, resuming, and errors. */
class TrainCommandTest {
    static final Path GOLDEN = ForwardCommandTest.GOLDEN;

    @TempDir
    Path dir;

    @Test
    void writesToyDataTrainsAndAsks() throws Exception {
        Path toy = dir.resolve("toy"), out = dir.resolve("out");
        ForwardCommandTest.Run r = ForwardCommandTest.run("train", "--write-toy-data", toy.toString(), "--toy-examples", "6,2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 6 training and 2 held-out examples"), r.out());
        Files.writeString(dir.resolve("cfg.json"), "{\"warmup_steps\": 0, \"max_grad_norm\": 0.5}");
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", toy.resolve("meta.json").toString(),
                "--eval", toy.resolve("eval.jsonl").toString(), "--out", out.toString(), "--steps", "4", "--stop-after", "2",
                "--lr", "1e-3", "--batch", "2", "--config", dir.resolve("cfg.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 2/4  loss"), r.out());
        assertTrue(r.out().contains("held-out loss"), r.out());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", toy.resolve("meta.json").toString(),
                "--out", out.toString(), "--steps", "4", "--lr", "1e-3", "--batch", "2", "--config", dir.resolve("cfg.json").toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed " + out + " at step 2") && r.out().contains("step 4/4"), r.out());
        r = ForwardCommandTest.run("ask", "--model", out.toString(), "--image", toy.resolve("images/00000.png").toString(),
                "--max-new-tokens", "4", "What color is the square?");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void errors() {
        ForwardCommandTest.Run r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("train needs --model DIR, --data FILE and --out DIR"), r.err());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("none.jsonl").toString(),
                "--out", dir.resolve("o").toString(), "--stage", "everything");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown stage 'everything' (projector, vit, all, lora)"), r.err());
    }

    /** A {@code size}×{@code size} image: a dark square on white at patch (1, 2) of a 14 px grid. */
    static void squareImage(Path file, int w, int h) throws Exception {
        var img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(java.awt.Color.BLACK);
        g.fillRect(14 + 3, 28 + 3, 8, 8);
        g.dispose();
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void patchReadoutTrainsOnOneTileImagesResumesAndSkipsOthers() throws Exception {
        squareImage(dir.resolve("tile.png"), 56, 56);
        squareImage(dir.resolve("wide.png"), 112, 56);
        String labels = "         X      "; // 4×4 patches of the golden model's 56 px tile: X at column 1, row 2
        String ok = "{\"image\": \"tile.png\", \"patch_text\": \"" + labels + "\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nRead.\"}, {\"from\": \"gpt\", \"value\": \"X\"}]}";
        String wide = ok.replace("tile.png", "wide.png");
        Files.writeString(dir.resolve("data.jsonl"), ok + "\n" + wide + "\n");
        Files.writeString(dir.resolve("cfg.json"), "{\"warmup_steps\": 0, \"patch_readout\": 1.0, \"max_tiles\": 2}");
        Path out = dir.resolve("reader");
        ForwardCommandTest.Run r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("data.jsonl").toString(),
                "--out", out.toString(), "--steps", "4", "--stop-after", "2", "--batch", "2", "--lr", "1e-3", "--config", dir.resolve("cfg.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("patch readout: loss") && r.out().contains("labels right"), r.out());
        assertTrue(r.out().contains("skipping: ") && r.out().contains("needs an image of exactly one 56 px tile"), r.out());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("data.jsonl").toString(),
                "--out", out.toString(), "--steps", "4", "--batch", "2", "--lr", "1e-3", "--config", dir.resolve("cfg.json").toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed " + out + " at step 2") && r.out().contains("step 4/4"), r.out());
        // the head stays out of the checkpoint, which the runtime loads as usual
        String header = new String(Files.readAllBytes(out.resolve("model.safetensors")), 0, 20000, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(!header.contains("aux.patch_readout"), "the readout head was exported");
        r = ForwardCommandTest.run("ask", "--model", out.toString(), "--image", dir.resolve("tile.png").toString(), "--max-new-tokens", "2", "Read.");
        assertEquals(0, r.code(), r.err());
        // a bad label is a clear error
        Files.writeString(dir.resolve("bad.jsonl"), ok.replace("\"patch_text\": \"" + labels + "\"", "\"patch_text\": 7") + "\n");
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("bad.jsonl").toString(),
                "--out", dir.resolve("bad").toString(), "--steps", "1", "--config", dir.resolve("cfg.json").toString());
        assertTrue(r.code() != 0 && r.err().contains("\"patch_text\" must be a string"), r.out() + r.err());
        r = ForwardCommandTest.run("train", "--model", GOLDEN.toString(), "--data", dir.resolve("data.jsonl").toString(), "--stage", "projector",
                "--out", dir.resolve("frozen").toString(), "--steps", "1", "--config", dir.resolve("cfg.json").toString());
        assertTrue(r.code() != 0 && r.err().contains("patch_readout trains the ViT"), r.out() + r.err());
    }
}
