package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.app.ForwardCommandTest.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tessera.core.io.Npy;
import org.tessera.core.io.SafetensorsFile;
import org.tessera.model.ConfigNode;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.llm.LlmConfig;
import org.tessera.model.phi3.Phi3Config;

/** {@code tessera random-checkpoint}: every --like loads and runs a forward at a small scale; full-size shapes; errors. */
class RandomCheckpointCommandTest {
    @TempDir
    Path dir;

    /** Writes at scale 0.03, loads it, and runs {@code tessera forward} on one 448 px tile and a prompt around its 256 tokens. */
    @ParameterizedTest
    @EnumSource(RandomCheckpoint.Like.class)
    void eachModelLoadsAndRunsAForward(RandomCheckpoint.Like like) throws IOException {
        Path m = dir.resolve(like.cliName());
        ForwardCommandTest.Run w = run("random-checkpoint", "--like", like.cliName(), "--out", m.toString(), "--scale", "0.03", "--seed", "7");
        assertEquals(0, w.code(), w.err());
        assertTrue(w.out().contains(like.cliName() + " at scale 0.03"), w.out());
        for (String f : new String[] {"config.json", "generation_config.json", "model.safetensors"}) assertTrue(Files.isRegularFile(m.resolve(f)), f);
        int ctx, vocab;
        try (InternVLModel model = InternVLModel.load(m)) {
            InternVLConfig c = model.config();
            assertEquals(256, c.tokensPerTile());
            assertEquals(448, c.imageSize());
            assertEquals(InternVLConfig.PixelShuffle.V2, c.pixelShuffle());
            assertEquals(expectedArch(like), c.llm().architecture());
            ctx = model.imgContextTokenId();
            vocab = c.llm().vocabSize();
            assertEquals(vocab - 7, ctx);
        }
        Random r = new Random(1);
        float[] px = new float[3 * 448 * 448];
        for (int i = 0; i < px.length; i++) px[i] = (float) r.nextGaussian();
        long[] ids = new long[5 + 256 + 4];
        for (int i = 0; i < ids.length; i++) ids[i] = i >= 5 && i < 5 + 256 ? ctx : r.nextInt(ctx);
        Path pv = dir.resolve(like.cliName() + "-pv.npy"), in = dir.resolve(like.cliName() + "-ids.npy"), out = dir.resolve(like.cliName() + "-logits.npy");
        Npy.writeFloats(pv, px, 1, 3, 448, 448);
        Npy.writeLongs(in, ids, ids.length);
        ForwardCommandTest.Run f = run("forward", "--model", m.toString(), "--pixel-values", pv.toString(), "--input-ids", in.toString(),
                "--out", out.toString());
        assertEquals(0, f.code(), f.err());
        Npy.Floats logits = Npy.readFloats(out);
        assertArrayEquals(new int[] {ids.length, vocab}, logits.shape());
        for (float v : logits.data()) assertTrue(Float.isFinite(v));
        // int8 works for every family too.
        ForwardCommandTest.Run q = run("forward", "--model", m.toString(), "--input-ids", in.toString().replace("-ids", "-ids"),
                "--pixel-values", pv.toString(), "--out", dir.resolve(like.cliName() + "-q.npy").toString(), "--int8-llm");
        assertEquals(0, q.code(), q.err());
    }

    static String expectedArch(RandomCheckpoint.Like like) {
        return switch (like) {
            case INTERNVL2_1B, INTERNVL2_5_1B -> "Qwen2ForCausalLM";
            case INTERNVL2_2B -> "InternLM2ForCausalLM";
            case INTERNVL2_4B -> "Phi3ForCausalLM";
        };
    }

    /** At scale 1 the config is the real model's shape (checked without writing gigabytes of weights). */
    @Test
    void fullSizeConfigsHaveTheRealShapes() {
        int[][] want = { // hidden, intermediate, layers, heads, kv heads, head dim, vocab, img context
                {896, 4864, 24, 14, 2, 64, 151655, 151648},
                {896, 4864, 24, 14, 2, 64, 151674, 151667},
                {2048, 8192, 24, 16, 8, 128, 92553, 92546},
                {3072, 8192, 32, 32, 32, 96, 32020, 32013}};
        for (RandomCheckpoint.Like like : RandomCheckpoint.Like.values()) {
            RandomCheckpoint.Sizes z = RandomCheckpoint.sizes(like, 1);
            InternVLConfig c = InternVLConfig.parse(ConfigNode.of(RandomCheckpoint.config(like, z), "config.json"));
            LlmConfig l = c.llm();
            int[] w = want[like.ordinal()];
            assertArrayEquals(w, new int[] {l.hiddenSize(), l.intermediateSize(), l.numLayers(), l.numHeads(), l.numKvHeads(), l.headDim(),
                    l.vocabSize(), c.imgContextTokenId()}, like.cliName());
            assertEquals(1024, c.vision().hiddenSize());
            assertEquals(24, c.vision().numLayers());
            assertEquals(16, c.vision().numHeads());
            assertEquals(4096, c.vision().intermediateSize());
            assertEquals(4096, c.projectorInput());
            if (l instanceof Phi3Config p) {
                assertEquals(131072, p.maxPositions());
                assertEquals(48, p.ropeScaling().longFactor().length);
            }
        }
        assertEquals("phi3-chat", RandomCheckpoint.config(RandomCheckpoint.Like.INTERNVL2_4B, RandomCheckpoint.sizes(RandomCheckpoint.Like.INTERNVL2_4B, 1))
                .get("template").asText());
    }

    /** Scaling keeps the GQA group and an even head size; the seed changes the weights, the same seed repeats them. */
    @Test
    void scalingAndSeeds() throws IOException {
        RandomCheckpoint.Sizes z = RandomCheckpoint.sizes(RandomCheckpoint.Like.INTERNVL2_1B, 0.1);
        assertEquals(7, z.heads() / z.kvHeads());
        assertEquals(0, z.headDim() % 2);
        assertEquals(z.heads() * z.headDim(), z.hidden());
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c");
        assertEquals(0, run("random-checkpoint", "--like", "internvl2-2b", "--out", a.toString(), "--scale", "0.02").code());
        assertEquals(0, run("random-checkpoint", "--like", "internvl2-2b", "--out", b.toString(), "--scale", "0.02").code());
        assertEquals(0, run("random-checkpoint", "--like", "internvl2-2b", "--out", c.toString(), "--scale", "0.02", "--seed", "1",
                "--dtype", "f32").code());
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        try (SafetensorsFile fa = SafetensorsFile.open(a.resolve("model.safetensors")); SafetensorsFile fc = SafetensorsFile.open(c.resolve("model.safetensors"))) {
            String name = "language_model.model.layers.0.attention.wqkv.weight";
            assertEquals("BF16", fa.info(name).dtype().safetensorsName());
            assertEquals("F32", fc.info(name).dtype().safetensorsName());
            assertNotEquals(fa.tensor(name).toFloatArray()[0], fc.tensor(name).toFloatArray()[0]);
            assertEquals(fa.names().size(), fc.names().size());
        }
        assertEquals(2, new ObjectMapper().readTree(a.resolve("generation_config.json").toFile()).get("eos_token_id").asInt());
    }

    @Test
    void badArgumentsGiveOneClearLine() throws IOException {
        ForwardCommandTest.Run r = run("random-checkpoint", "--like", "internvl2-8b", "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("tessera: --like internvl2-8b is not a model this can imitate; choose one of internvl2-1b, internvl2_5-1b, internvl2-2b, internvl2-4b",
                r.err().strip());
        for (String s : new String[] {"0", "-1", "1.5", "NaN"}) {
            r = run("random-checkpoint", "--like", "internvl2-1b", "--out", dir.resolve("x").toString(), "--scale", s);
            assertEquals(1, r.code(), s);
            assertTrue(r.err().strip().startsWith("tessera: --scale must be in (0, 1], got "), r.err());
        }
        r = run("random-checkpoint", "--like", "internvl2-1b", "--out", dir.resolve("x").toString(), "--scale", "0.02", "--dtype", "int8");
        assertEquals(1, r.code());
        assertEquals("tessera: --dtype must be bf16, f16 or f32, got int8", r.err().strip());
        Path m = dir.resolve("m");
        assertEquals(0, run("random-checkpoint", "--like", "internvl2-1b", "--out", m.toString(), "--scale", "0.02").code());
        r = run("random-checkpoint", "--like", "internvl2-1b", "--out", m.toString(), "--scale", "0.02");
        assertEquals(1, r.code());
        assertEquals("tessera: " + m + " already holds config.json; choose a new directory", r.err().strip());
        Path file = Files.writeString(dir.resolve("file"), "x");
        r = run("random-checkpoint", "--like", "internvl2-1b", "--out", file.toString(), "--scale", "0.02");
        assertEquals(1, r.code());
        assertEquals("tessera: " + file + " exists and is not a directory", r.err().strip());
        assertTrue(Files.notExists(dir.resolve("x")), "nothing written for refused arguments");
        r = run("random-checkpoint", "--like", "internvl2-1b");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--out"), r.err());
    }
}
