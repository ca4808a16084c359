package org.tessera.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.vision.image.RgbImage;

/** The InternVL fine-tuning format: parsing, the training sequence and its supervision mask, mixtures, sampling. */
class DataTest {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static final ObjectMapper OM = new ObjectMapper();
    static VisionLanguageModel vlm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(GOLDEN);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    static Conversation parse(String json) throws Exception {
        return Conversation.parse(OM.readTree(json), "test");
    }

    @Test
    void parsesTheFormat() throws Exception {
        Conversation c = parse("{\"id\": 7, \"image\": \"a.jpg\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nq1\"},"
                + "{\"from\": \"gpt\", \"value\": \"a1\"}, {\"from\": \"human\", \"value\": \"q2\"}, {\"from\": \"gpt\", \"value\": \"a2\"}]}");
        assertEquals("7", c.id());
        assertEquals(List.of("a.jpg"), c.images());
        assertEquals(List.of("<image>\nq1", "q2"), c.human());
        assertEquals(List.of("a1", "a2"), c.gpt());
        assertNull(c.system());
        Conversation multi = parse("{\"images\": [\"a.png\", \"b.png\"], \"conversations\": [{\"from\": \"system\", \"value\": \"S\"},"
                + "{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]}");
        assertEquals(List.of("a.png", "b.png"), multi.images());
        assertEquals("S", multi.system());
        assertTrue(parse("{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]}").images().isEmpty());
        var e = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"human\", \"value\": \"a\"}]}"));
        assertTrue(e.getMessage().contains("turn 1 is from \"human\" where \"gpt\" was expected"), e.getMessage());
    }

    @Test
    void sequenceIsTheInferencePromptThenTheSupervisedAnswer() throws Exception {
        RgbImage img = RgbImage.filled(120, 56, 200, 30, 30);
        VisionLanguageModel.PreparedImage p = vlm.prepareImage(ImageInput.of(img), Tiling.MODEL_DEFAULT);
        ExampleEncoder enc = new ExampleEncoder(vlm, Tiling.MODEL_DEFAULT, 4096);
        Conversation c = parse("{\"image\": \"x\", \"conversations\": [{\"from\": \"human\", \"value\": \"What color?\"},"
                + "{\"from\": \"gpt\", \"value\": \"red\"}]}");
        ExampleEncoder.Encoded e = enc.encode(c, List.of(p), "test");
        // The prompt part is token for token what ask() feeds the model for the same question and image.
        String prompt = vlm.promptText(Request.of("What color?").withImage(ImageInput.of(img)));
        int[] promptIds = vlm.tokenizer().encode(prompt, true);
        int[] answer = vlm.tokenizer().encode("red<|im_end|>");
        int[] ids = e.batch().ids();
        assertArrayEquals(promptIds, Arrays.copyOf(ids, promptIds.length));
        assertArrayEquals(answer, Arrays.copyOfRange(ids, promptIds.length, ids.length));
        // Targets: exactly the answer tokens and the stop token, each at the position before it.
        int[] t = e.batch().targets();
        for (int i = 0; i < ids.length; i++) {
            int want = i + 1 >= promptIds.length && i + 1 < ids.length ? ids[i + 1] : -1;
            assertEquals(want, t[i], "target at " + i);
        }
        assertEquals(answer.length, e.supervised());
        assertEquals(p.tiles().count(), e.tiles());
        assertArrayEquals(p.tiles().data(), e.batch().pixels());
    }

    @Test
    void multiTurnAndMultiImage() throws Exception {
        RgbImage a = RgbImage.filled(56, 56, 1, 2, 3), b = RgbImage.filled(56, 56, 9, 8, 7);
        List<VisionLanguageModel.PreparedImage> ims = new ArrayList<>();
        for (RgbImage i : List.of(a, b)) ims.add(vlm.prepareImage(ImageInput.of(i), Tiling.MODEL_DEFAULT));
        ExampleEncoder enc = new ExampleEncoder(vlm, Tiling.MODEL_DEFAULT, 4096);
        Conversation c = parse("{\"image\": [\"a\", \"b\"], \"conversations\": [{\"from\": \"human\", \"value\": \"Compare\"},"
                + "{\"from\": \"gpt\", \"value\": \"same\"}, {\"from\": \"human\", \"value\": \"Sure?\"}, {\"from\": \"gpt\", \"value\": \"yes\"}]}");
        ExampleEncoder.Encoded e = enc.encode(c, ims, "test");
        String text = vlm.tokenizer().decode(e.batch().ids(), false);
        assertTrue(text.contains("Image-1: <img><IMG_CONTEXT>"), text);
        assertTrue(text.contains("Image-2: <img>"), text);
        assertTrue(text.endsWith("<|im_start|>assistant\nsame<|im_end|><|im_start|>user\nSure?<|im_end|><|im_start|>assistant\nyes<|im_end|>"), text);
        // supervised: both answers with their stop tokens
        StringBuilder sup = new StringBuilder();
        int[] ids = e.batch().ids(), t = e.batch().targets();
        List<Integer> supIds = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) if (t[i] >= 0) supIds.add(t[i]);
        sup.append(vlm.tokenizer().decode(supIds.stream().mapToInt(Integer::intValue).toArray(), false));
        assertEquals("same<|im_end|>yes<|im_end|>", sup.toString());
        assertEquals(2 * 4, e.batch().tiles() * 4);
        // too many placeholders for the images is an error naming the example
        Conversation bad = parse("{\"image\": \"a\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image> <image>\"}, {\"from\": \"gpt\", \"value\": \"x\"}]}");
        var ex = assertThrows(IllegalArgumentException.class, () -> enc.encode(bad, ims.subList(0, 1), "f.jsonl line 3"));
        assertTrue(ex.getMessage().startsWith("f.jsonl line 3: 1 images but 2 <image> placeholders"), ex.getMessage());
        assertThrows(ExampleEncoder.TooLong.class, () -> new ExampleEncoder(vlm, Tiling.MODEL_DEFAULT, 20).encode(c, ims, "x"));
    }

    @Test
    void metaMixtureWeightsAndDeterministicSampling() throws Exception {
        Files.createDirectories(tmp.resolve("a"));
        Files.write(tmp.resolve("a/a.jsonl"), List.of("{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"q2\"}, {\"from\": \"gpt\", \"value\": \"a2\"}]}"));
        Files.write(tmp.resolve("b.jsonl"), List.of("{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}, {\"from\": \"gpt\", \"value\": \"y\"}]}"));
        Files.writeString(tmp.resolve("meta.json"), "{\"A\": {\"root\": \"a\", \"annotation\": \"a/a.jsonl\", \"repeat_time\": 3, \"length\": 2},"
                + " \"B\": {\"annotation\": \"b.jsonl\", \"repeat_time\": 2}}");
        DataMixture m = DataMixture.load(tmp.resolve("meta.json"), null);
        assertEquals(2, m.datasets().size());
        assertArrayEquals(new double[] {0.75, 0.25}, m.probabilities(), 1e-12); // 3·2 : 2·1
        assertEquals(tmp.resolve("a").toAbsolutePath(), m.datasets().get(0).root().toAbsolutePath());
        Sampler s1 = new Sampler(m, 5), s2 = new Sampler(m, 5);
        int[] counts = new int[2];
        List<Sampler.Draw> first = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            Sampler.Draw d = s1.next();
            assertEquals(d, s2.next());
            counts[d.dataset()]++;
            if (i < 50) first.add(d);
        }
        assertEquals(0.75, counts[0] / 4000.0, 0.03);
        // every epoch of a dataset visits each example once
        Sampler s3 = new Sampler(DataMixture.load(tmp.resolve("a/a.jsonl"), null), 9);
        int[] seen = new int[2];
        for (int i = 0; i < 10; i++) seen[s3.next().index()]++;
        assertArrayEquals(new int[] {5, 5}, seen);
        // restoring the counters continues the same sequence
        Sampler s4 = new Sampler(m, 5);
        for (int i = 0; i < 20; i++) s4.next();
        Sampler s5 = new Sampler(m, 5);
        s5.restore(s4.drawn(), s4.perDataset());
        for (int i = 0; i < 30; i++) assertEquals(s4.next(), s5.next());
        // explicit weights win
        Files.writeString(tmp.resolve("meta2.json"), "{\"A\": {\"annotation\": \"a/a.jsonl\", \"weight\": 1}, \"B\": {\"annotation\": \"b.jsonl\", \"weight\": 3}}");
        assertArrayEquals(new double[] {0.25, 0.75}, DataMixture.load(tmp.resolve("meta2.json"), null).probabilities(), 1e-12);
    }

    @Test
    void metaEntriesSharingAFileEachKeepTheirOwnTiling() throws Exception {
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(112, 56, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
                tmp.resolve("wide.png").toFile());
        Files.write(tmp.resolve("t.jsonl"), List.of("{\"image\": \"wide.png\", \"conversations\": [{\"from\": \"human\", \"value\": \"q\"},"
                + " {\"from\": \"gpt\", \"value\": \"a\"}]}"));
        Files.writeString(tmp.resolve("meta.json"), "{\"plain\": {\"annotation\": \"t.jsonl\", \"weight\": 1},"
                + " \"low\": {\"annotation\": \"t.jsonl\", \"max_dynamic_patch\": 1, \"weight\": 1},"
                + " \"bare\": {\"annotation\": \"t.jsonl\", \"use_thumbnail\": false, \"weight\": 1},"
                + " \"tagged\": {\"annotation\": \"t.jsonl\", \"tile_tags\": \"1d\", \"weight\": 1}}");
        DataMixture m = DataMixture.load(tmp.resolve("meta.json"), null);
        assertEquals(4, m.datasets().size());
        assertTrue(m.datasets().get(0).lines() == m.datasets().get(3).lines(), "one file is read once");
        ExampleEncoder enc = new ExampleEncoder(vlm, Tiling.MODEL_DEFAULT, 4096);
        int[] tiles = new int[4];
        String[] text = new String[4];
        for (int d = 0; d < 4; d++) {
            ExampleEncoder.Encoded e = enc.encode(m.datasets().get(d), 0);
            tiles[d] = e.tiles();
            text[d] = vlm.tokenizer().decode(e.batch().ids(), false);
        }
        // 112x56 at 56 px: two tiles plus the thumbnail; one tile at max_dynamic_patch 1; the two alone without it
        assertArrayEquals(new int[] {3, 1, 2, 3}, tiles);
        assertTrue(text[3].contains("<tile_1><IMG_CONTEXT>") && text[3].contains("<tile_global_thumbnail><IMG_CONTEXT>"), text[3]);
        assertTrue(!text[0].contains("<tile_1>"), text[0]);
        Files.writeString(tmp.resolve("bad.json"), "{\"x\": {\"annotation\": \"t.jsonl\", \"tile_tags\": \"3d\"}}");
        var e = assertThrows(IllegalArgumentException.class, () -> enc.encode(DataMixture.load(tmp.resolve("bad.json"), null).datasets().get(0), 0));
        assertTrue(e.getMessage().contains("unknown tile tag style '3d'"), e.getMessage());
    }
}
