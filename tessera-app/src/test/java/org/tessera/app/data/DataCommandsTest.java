package org.tessera.app.data;

import static org.tessera.app.ForwardCommandTest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.app.ForwardCommandTest.Run;

/** {@code tessera data convert}, {@code data ppl} and {@code soup} from the command line, and their one-line errors. */
class DataCommandsTest {
    static final Path GOLDEN = Path.of("../tessera-model/src/test/resources/internvl-tiny-a");

    @TempDir
    Path dir;


    void png(String name, int w, int h) throws IOException {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) bi.setRGB(x, y, (x * 5) << 16 | (y * 7) << 8 | ((x ^ y) & 0xFF));
        ImageIO.write(bi, "png", dir.resolve(name).toFile());
    }

    @Test
    void convertWritesTheFormatAndBadRowsFailInOneLine() throws IOException {
        png("a.png", 64, 32);
        Path in = dir.resolve("refs.csv");
        Files.writeString(in, "file,ref,bbox\na.png,the left half,\"0 0 32 32\"\na.png,far away,\"0 0 99 9\"\n");
        Run bad = run("data", "convert", "--task", "grounding", "--in", in.toString(), "--images", dir.toString(),
                "--out", dir.resolve("out").toString(), "--column", "image=file");
        assertEquals(1, bad.code());
        assertEquals("tessera: refs.csv:3: box [0, 0, 99, 9] is outside the 64x32 image (use --on-error skip to leave such rows out)",
                bad.err().strip());
        Run ok = run("data", "convert", "--task", "grounding", "--in", in.toString(), "--images", dir.toString(),
                "--out", dir.resolve("out").toString(), "--column", "image=file", "--on-error", "skip", "--name", "refs");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("wrote 1 sample to"), ok.out());
        assertTrue(ok.out().contains("left out 1 bad row"), ok.out());
        String line = Files.readString(dir.resolve("out/refs.jsonl"));
        assertTrue(line.contains("\"value\":\"<ref>the left half</ref><box>[[0, 0, 500, 1000]]</box>\""), line);
        assertTrue(Files.readString(dir.resolve("out/meta.json")).contains("\"refs\""));
    }

    @Test
    void pplFiltersAndSoupAveragesTheTinyModel() throws IOException {
        png("a.png", 60, 40);
        png("b.png", 30, 70);
        Path caps = dir.resolve("caps.jsonl");
        Files.writeString(caps, "{\"image\": \"a.png\", \"caption\": \"a gradient\"}\n{\"image\": \"b.png\", \"caption\": \"zz qq\"}\n");
        Run r = run("data", "ppl", "--model", GOLDEN.toString(), "--in", caps.toString(), "--keep", "0.5", "--out", dir.resolve("f").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("scored 2 pairs"), r.out());
        assertTrue(r.out().contains("kept 1 (ppl <= "), r.out());
        assertEquals(1, Files.readAllLines(dir.resolve("f/kept.jsonl")).size());
        assertEquals(1, Files.readAllLines(dir.resolve("f/dropped.jsonl")).size());

        Path soup = dir.resolve("soup");
        Run s = run("soup", "--out", soup.toString(), GOLDEN.toString(), GOLDEN.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("the uniform soup of 2 of 2 checkpoints"), s.out());
        assertTrue(Files.exists(soup.resolve("model.safetensors")));
        Run again = run("soup", "--out", soup.toString(), GOLDEN.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("tessera: ") && again.err().contains("is not empty (use --force to replace it)"), again.err());
        Run greedy = run("soup", "--out", dir.resolve("g").toString(), "--method", "greedy", GOLDEN.toString());
        assertEquals(1, greedy.code());
        assertTrue(greedy.err().contains("needs --eval-data"), greedy.err());
        try (Stream<Path> l = Files.list(dir)) {
            assertTrue(l.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    @Test
    void bestSoupRanksByAnEvaluationKind() throws IOException {
        png("q.png", 60, 40);
        Path dev = dir.resolve("dev.jsonl");
        Files.writeString(dev, "{\"index\": 1, \"image\": \"q.png\", \"question\": \"What is it?\", \"answers\": [\"gradient\"]}\n");
        Run best = run("soup", "--out", dir.resolve("best").toString(), "--method", "best", "--eval-data", dev.toString(), "--kind", "vqa",
                GOLDEN.toString(), GOLDEN.toString());
        assertEquals(0, best.code(), best.err());
        assertTrue(Files.exists(dir.resolve("best/model.safetensors")));
        assertTrue(Files.readString(dir.resolve("best/soup.json")).contains("VQA") || best.out().contains("VQA"), best.out());
    }
}
