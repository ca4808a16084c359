package org.tessera.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.ModelException;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.text.Turn;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.TileBatch;
import org.tessera.vision.tiling.TilePlan;
import org.tessera.vision.tiling.TileTags;
import org.tessera.vision.tiling.TilingOptions;
import org.tessera.vision.tiling.TilingStrategies;
import org.tessera.vision.tiling.TilingStrategy;

/**
 * The API end to end on the golden internvl-tiny-a checkpoint (56 px tiles, 4 tokens per tile): every answer is
 * checked against a plain reference loop built from the runtime's parts (tile, full forward over the whole
 * sequence, argmax), so the wiring (image placement, template, stop token, cache reuse) is what is tested.
 */
class VisionLanguageModelTest {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static VisionLanguageModel vlm;

    @BeforeAll
    static void load() {
        vlm = VisionLanguageModel.load(GOLDEN);
    }

    @AfterAll
    static void close() {
        vlm.close();
    }

    /** A deterministic picture with structure (gradients and stripes), w × h. */
    static RgbImage picture(int w, int h, int seed) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (x * 255 / w + seed * 40);
                px[i + 1] = (byte) (y * 255 / h);
                px[i + 2] = (byte) (((x / 7 + y / 5 + seed) % 2) * 200);
            }
        }
        return new RgbImage(w, h, px);
    }

    /** Greedy decoding by full recomputation: the reference for what ask() must return. */
    static int[] referenceGreedy(String promptText, List<RgbImage> images, TilingStrategy strategy, int maxNew) {
        InternVLModel m = vlm.model();
        int[] ids = vlm.tokenizer().encode(promptText, true);
        List<float[]> tiles = new ArrayList<>();
        int count = 0;
        for (RgbImage img : images) {
            TileBatch b = strategy.render(img);
            tiles.add(b.data());
            count += b.count();
        }
        float[] pixels = new float[tiles.stream().mapToInt(a -> a.length).sum()];
        int off = 0;
        for (float[] t : tiles) {
            System.arraycopy(t, 0, pixels, off, t.length);
            off += t.length;
        }
        int stop = vlm.template().stopTokenId(vlm.tokenizer());
        int vocab = m.language().vocabSize();
        List<Integer> gen = new ArrayList<>();
        for (int step = 0; step < maxNew; step++) {
            int[] seq = Arrays.copyOf(ids, ids.length + gen.size());
            for (int i = 0; i < gen.size(); i++) seq[ids.length + i] = gen.get(i);
            float[] logits = m.forward(pixels, count, seq).logits();
            int best = 0;
            int base = (seq.length - 1) * vocab;
            for (int v = 1; v < vocab; v++) if (logits[base + v] > logits[base + best]) best = v;
            gen.add(best);
            if (best == stop) break;
        }
        return gen.stream().mapToInt(Integer::intValue).toArray();
    }

    static TilingStrategy internvl(int max) {
        return TilingStrategies.create("internvl", new TilingOptions(1, max, 56, true, TileTags.NONE, 14));
    }

    static String expectedText(int[] gen) {
        return vlm.template().response(vlm.tokenizer(), gen);
    }

    @Test
    void oneImageAnswerEqualsTheReferenceLoop() {
        RgbImage img = picture(150, 90, 1);
        Request req = Request.of("What is shown?").withImage(ImageInput.of(img)).withMaxNewTokens(8);
        String prompt = vlm.promptText(req);
        // chat(): "<image>\n" is put in front of the question, then replaced by the image's tokens.
        TilePlan plan = internvl(12).plan(150, 90);
        int tiles = plan.tiles().size();
        assertTrue(prompt.contains("<|im_start|>user\n<img>" + "<IMG_CONTEXT>".repeat(tiles * 4) + "</img>\nWhat is shown?<|im_end|>"
                + "<|im_start|>assistant\n"), prompt);
        List<String> streamed = new ArrayList<>();
        Answer a = vlm.ask(req, GenerationListener.text(streamed::add));
        int[] ref = referenceGreedy(prompt, List.of(img), internvl(12), 8);
        assertTrue(ref.length >= 4 && !a.text().isEmpty(), "a non-trivial answer: " + Arrays.toString(ref));
        assertEquals(ref.length, a.completionTokens());
        assertEquals(expectedText(ref), a.text());
        assertEquals(a.text(), String.join("", streamed).strip());
        assertEquals(1, a.plans().size());
        assertEquals(tiles, a.tiles());
        assertEquals(vlm.tokenizer().encode(prompt, true).length, a.promptTokens());
    }

    @Test
    void severalImagesAreNumberedAndEncodedInOneBatch() {
        RgbImage a = picture(120, 60, 2), b = picture(40, 100, 3);
        Request req = Request.of("Compare them.").withImage(ImageInput.of(a)).withImage(ImageInput.of(b))
                .withTiling(Tiling.internvl(4)).withMaxNewTokens(6);
        String prompt = vlm.promptText(req);
        int ta = internvl(4).plan(120, 60).tiles().size(), tb = internvl(4).plan(40, 100).tiles().size();
        assertTrue(prompt.contains("Image-1: <img>" + "<IMG_CONTEXT>".repeat(ta * 4) + "</img>\nImage-2: <img>"
                + "<IMG_CONTEXT>".repeat(tb * 4) + "</img>\nCompare them."), prompt);
        Answer ans = vlm.ask(req);
        assertEquals(expectedText(referenceGreedy(prompt, List.of(a, b), internvl(4), 6)), ans.text());
        assertEquals(ta + tb, ans.tiles());
    }

    @Test
    void videoFramesGetOneTileEachAndFramePrefixes() {
        List<ImageInput> frames = new ArrayList<>();
        List<RgbImage> imgs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RgbImage f = picture(160, 90, i);
            imgs.add(f);
            frames.add(ImageInput.of(f));
        }
        Request req = Request.of("What happens?").withVideoFrames(frames).withMaxNewTokens(5);
        String prompt = vlm.promptText(req);
        String img = "<img>" + "<IMG_CONTEXT>".repeat(4) + "</img>";
        assertTrue(prompt.contains("Frame1: " + img + "\nFrame2: " + img + "\nFrame3: " + img + "\nWhat happens?"), prompt);
        Answer ans = vlm.ask(req);
        assertEquals(3, ans.tiles());
        TilingStrategy oneTile = TilingStrategies.create("internvl", new TilingOptions(1, 1, 56, true, TileTags.NONE, 14));
        assertEquals(expectedText(referenceGreedy(prompt, imgs, oneTile, 5)), ans.text());
    }

    @Test
    void nvlmTagsAppearBetweenTiles() {
        RgbImage img = picture(112, 56, 4); // 2 x 1 tiles + thumbnail
        Request req = Request.of("Read it.").withImage(ImageInput.of(img))
                .withTiling(Tiling.internvl(6).withTags(TileTags.ONE_D)).withMaxNewTokens(4);
        String prompt = vlm.promptText(req);
        String ctx = "<IMG_CONTEXT>".repeat(4);
        assertTrue(prompt.contains("<img><tile_1>" + ctx + "<tile_2>" + ctx + "<tile_global_thumbnail>" + ctx + "</img>\nRead it."), prompt);
        TilingStrategy tagged = TilingStrategies.create("internvl", new TilingOptions(1, 6, 56, true, TileTags.ONE_D, 14));
        assertEquals(expectedText(referenceGreedy(prompt, List.of(img), tagged, 4)), vlm.ask(req).text());
    }

    @Test
    void chatTurnsReuseTheCacheAndMatchAFreshRun() {
        RgbImage img = picture(100, 100, 5);
        ChatSession chat = vlm.newChat(Tiling.internvl(4), Sampling.greedy(5));
        chat.addImage(ImageInput.of(img));
        Answer first = chat.send("Describe.");
        Answer second = chat.send("And the colour?");
        List<Turn> h = chat.history();
        assertEquals(2, h.size());
        assertEquals("<image>\nDescribe.", h.get(0).user());
        assertEquals(first.text(), h.get(0).assistant());
        // The second turn must equal chat(history=[turn 1]) computed from scratch.
        var layouts = List.of((org.tessera.model.text.ImageTokenLayout) new org.tessera.model.text.LayoutImageTokens(internvl(4).plan(100, 100).layout()));
        String prompt2 = vlm.template().query(List.of(h.get(0)), "And the colour?", layouts).text();
        assertEquals(expectedText(referenceGreedy(prompt2, List.of(img), internvl(4), 5)), second.text());
        assertTrue(second.promptTokens() > first.promptTokens() && !second.text().isEmpty());
        assertEquals(1, chat.plans().size());
        chat.reset();
        assertEquals(0, chat.history().size());
        assertEquals(0, chat.plans().size());
    }

    @Test
    void historyAndSystemMessageMakeTheConversationPrompt() {
        RgbImage a = picture(100, 60, 6), b = picture(60, 100, 7);
        var layouts = List.of((org.tessera.model.text.ImageTokenLayout) new org.tessera.model.text.LayoutImageTokens(internvl(4).plan(100, 60).layout()),
                new org.tessera.model.text.LayoutImageTokens(internvl(4).plan(60, 100).layout()));
        List<Turn> history = List.of(new Turn("<image>\nWhat is this?", "A picture."));
        Request req = Request.of("And <image> this one?").withImage(ImageInput.of(a)).withImage(ImageInput.of(b))
                .withTiling(Tiling.internvl(4)).withHistory(history).withSystemMessage("Be brief.").withMaxNewTokens(5);
        String expected = vlm.template().withSystemMessage("Be brief.").query(history, "And <image> this one?", layouts).text();
        String prompt = vlm.promptText(req);
        assertEquals(expected, prompt);
        assertTrue(prompt.startsWith("<|im_start|>system\nBe brief.<|im_end|><|im_start|>user\n<img>"), prompt);
        assertEquals(expectedText(referenceGreedy(prompt, List.of(a, b), internvl(4), 5)), vlm.ask(req).text());
        // Without placeholders anywhere, the images belong to the new question, placed as for a first question.
        Request plain = Request.of("Describe.").withImage(ImageInput.of(a)).withTiling(Tiling.internvl(4))
                .withHistory(List.of(new Turn("Hello.", "Hi.")));
        assertTrue(vlm.promptText(plain).contains("Hi.<|im_end|><|im_start|>user\n<img>"), vlm.promptText(plain));
        // The old constructor and no history: exactly what it gave before.
        Request old = new Request("Q?", List.of(), false, null, null);
        assertEquals(List.of(), old.history());
        assertEquals(vlm.template().query(null, "Q?", List.of()).text(), vlm.promptText(old));
    }

    @Test
    void promptTokenLimitIsCheckedBeforeEncoding() {
        try (VisionLanguageModel small = VisionLanguageModel.load(GOLDEN, VisionLanguageModel.Options.defaults().withMaxPromptTokens(40))) {
            PromptTooLongException e = assertThrows(PromptTooLongException.class,
                    () -> small.ask(Request.of("Many words here").withImage(ImageInput.of(picture(200, 200, 1))), new GenerationListener() {
                        @Override public void onVision(int tiles, int done, int layers) { throw new AssertionError("encoded"); }
                    }));
            assertEquals(40, e.limit());
            assertTrue(e.tokens() > 40 && e.getMessage().contains("limit of 40"), e.getMessage());
            assertTrue(small.ask(Request.of("Hi").withSystemMessage("S").withMaxNewTokens(2)).completionTokens() > 0);
        }
    }

    @Test
    void concurrentCallersGetTheAnswersOfOneByOne() throws Exception {
        List<Request> reqs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reqs.add(Request.of("Question " + i).withImage(ImageInput.of(picture(60 + 30 * i, 80, i))).withMaxNewTokens(6));
        }
        List<String> serial = new ArrayList<>();
        for (Request r : reqs) serial.add(vlm.ask(r).text());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> fs = new ArrayList<>();
            for (Request r : reqs) fs.add(pool.submit(() -> vlm.ask(r).text()));
            for (int i = 0; i < reqs.size(); i++) assertEquals(serial.get(i), fs.get(i).get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void samplingWithASeedRepeats() {
        Request req = Request.of("Tell me something.").withSampling(new Sampling(12, 1.0, 0.9, 20, null, 42L, null));
        assertEquals(vlm.ask(req).text(), vlm.ask(req).text());
    }

    @Test
    void cancellingStopsEarly() {
        int[] pieces = {0};
        Answer a = vlm.ask(Request.of("Go on.").withSampling(new Sampling(50, 1.0, null, null, null, 7L, null)), new GenerationListener() {
            @Override public void onText(String p) { pieces[0]++; }
            @Override public boolean cancelled() { return true; }
        });
        assertEquals(Answer.FinishReason.CANCELLED, a.finishReason());
        assertTrue(a.completionTokens() <= 1);
    }

    @Test
    void badInputGetsClearErrors(@TempDir Path tmp) throws Exception {
        ModelException e = assertThrows(ModelException.class, () -> VisionLanguageModel.load(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("no such model directory"), e.getMessage());
        IllegalArgumentException hd = assertThrows(IllegalArgumentException.class,
                () -> vlm.ask(Request.of("x").withImage(ImageInput.of(picture(200, 100, 0))).withTiling(Tiling.MODEL_DEFAULT.withStrategy("ixc-hd"))));
        assertTrue(hd.getMessage().contains("newline"), hd.getMessage());
        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> vlm.ask(Request.of("only <image> one").withImage(ImageInput.of(picture(50, 50, 0))).withImage(ImageInput.of(picture(50, 50, 1)))));
        assertTrue(tooFew.getMessage().contains("placeholders"), tooFew.getMessage());
        Path bad = tmp.resolve("bad.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        RuntimeException img = assertThrows(RuntimeException.class, () -> vlm.ask(Request.of("x", bad)));
        assertTrue(img.getMessage().contains("bad.png"), img.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Tiling.MODEL_DEFAULT.withStrategy("mosaic"));
        assertTrue(unknown.getMessage().contains("internvl"), unknown.getMessage());
    }

    @Test
    void overlongPromptIsRefusedBeforeEncoding() {
        String huge = "word ".repeat(5000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vlm.ask(Request.of(huge)));
        assertTrue(e.getMessage().contains("context holds 4096"), e.getMessage());
    }
}
