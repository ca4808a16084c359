package org.tessera.train.data;

import java.util.ArrayList;
import java.util.List;
import org.tessera.api.ImageInput;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.text.ChatTemplate;
import org.tessera.model.text.ImageTokenLayout;
import org.tessera.model.text.Tokenizer;
import org.tessera.train.model.Batch;

/**
 * Turns a {@link Conversation} into a training sequence the way InternVL's {@code preprocess_*} functions do:
 * images tiled as {@code ask} tiles them, the conversation written with the checkpoint's template, each
 * {@code <image>} placeholder expanded to {@code <img>}, the image's {@code <IMG_CONTEXT>} tokens and {@code </img>},
 * and the loss on the answers only:
 * <pre>
 *   system_prompt + sep                                    masked
 *   user_role + question + sep + assistant_role            masked   (per turn)
 *   answer + sep                                           supervised (the stop token / separator included)
 * </pre>
 * Pieces are tokenized one by one, so the supervised span is exact whatever the tokenizer does at the boundaries.
 * With images and no placeholder, {@code <image>\n} (one image) or {@code Image-1: <image>\n...} (several) goes in front
 * of the first question, as at inference.
 */
public final class ExampleEncoder {
    /** An encoded example. */
    public record Encoded(Batch batch, int tiles, int tokens, int supervised) {}

    /** A sequence longer than the limit (skipped by the trainer). */
    public static final class TooLong extends IllegalArgumentException {
        TooLong(String m) { super(m); }
    }

    private final VisionLanguageModel vlm;
    private final Tiling tiling;
    private final int maxTokens;

    public ExampleEncoder(VisionLanguageModel vlm, Tiling tiling, int maxTokens) {
        this.vlm = vlm;
        this.tiling = tiling == null ? Tiling.MODEL_DEFAULT : tiling;
        this.maxTokens = maxTokens;
    }

    public Encoded encode(Dataset ds, int index) {
        Conversation c = ds.example(index);
        Tiling t = ds.maxTiles() != null ? tiling.withMaxTiles(ds.maxTiles()) : tiling;
        if (ds.thumbnail() != null) t = t.withThumbnail(ds.thumbnail());
        if (ds.tags() != null) t = t.withTags(org.tessera.vision.tiling.TileTags.parse(ds.tags()));
        List<VisionLanguageModel.PreparedImage> images = new ArrayList<>();
        for (String path : c.images()) images.add(vlm.prepareImage(ImageInput.file(ds.image(path)), t));
        return encode(c, images, ds.annotation().getFileName() + " line " + (index + 1));
    }

    /** Encodes a conversation whose images are already prepared (in placeholder order). */
    public Encoded encode(Conversation c, List<VisionLanguageModel.PreparedImage> images, String where) {
        ChatTemplate tpl = c.system() != null ? vlm.template().withSystemMessage(c.system()) : vlm.template();
        Tokenizer tok = vlm.tokenizer();
        List<String> human = new ArrayList<>(c.human());
        int placeholders = 0;
        for (String h : human) placeholders += count(h, ChatTemplate.IMAGE_PLACEHOLDER);
        if (!images.isEmpty() && placeholders == 0) {
            String prefix = images.size() == 1 ? ChatTemplate.IMAGE_PLACEHOLDER + "\n" : ChatTemplate.multiImagePrefix(images.size());
            human.set(0, prefix + human.get(0));
            placeholders = images.size();
        }
        if (placeholders != images.size()) {
            throw new IllegalArgumentException(where + ": " + images.size() + " images but " + placeholders + " <image> placeholders");
        }
        for (String g : c.gpt()) {
            if (g.contains(ChatTemplate.IMAGE_PLACEHOLDER)) throw new IllegalArgumentException(where + ": an answer contains <image>");
        }
        List<int[]> pieces = new ArrayList<>();
        List<Boolean> supervised = new ArrayList<>();
        int[] bos = tok.prefixTokens();
        if (bos.length > 0) {
            pieces.add(bos);
            supervised.add(false);
        }
        int[] next = {0};
        pieces.add(tok.encode(tpl.systemPrompt() + tpl.sep()));
        supervised.add(false);
        for (int i = 0; i < c.gpt().size(); i++) {
            String q = expand(human.get(i), images, next);
            pieces.add(tok.encode(tpl.userRole() + q + tpl.sep() + tpl.assistantRole()));
            supervised.add(false);
            pieces.add(tok.encode(c.gpt().get(i) + tpl.sep()));
            supervised.add(true);
        }
        int n = 0;
        for (int[] p : pieces) n += p.length;
        if (n > maxTokens) throw new TooLong(where + ": " + n + " tokens, more than the limit of " + maxTokens);
        int[] ids = new int[n];
        boolean[] sup = new boolean[n];
        int at = 0;
        for (int i = 0; i < pieces.size(); i++) {
            int[] p = pieces.get(i);
            System.arraycopy(p, 0, ids, at, p.length);
            if (supervised.get(i)) java.util.Arrays.fill(sup, at, at + p.length, true);
            at += p.length;
        }
        int[] targets = new int[n];
        int count = 0;
        for (int t = 0; t < n; t++) {
            targets[t] = t + 1 < n && sup[t + 1] ? ids[t + 1] : -1;
            if (targets[t] >= 0) count++;
        }
        int tiles = 0, size = 0;
        for (VisionLanguageModel.PreparedImage im : images) {
            tiles += im.tiles().count();
            size += im.tiles().data().length;
        }
        float[] pixels = new float[size];
        int p = 0;
        for (VisionLanguageModel.PreparedImage im : images) {
            System.arraycopy(im.tiles().data(), 0, pixels, p, im.tiles().data().length);
            p += im.tiles().data().length;
        }
        Batch batch = Batch.of(pixels, tiles, ids, targets);
        if (c.patchText() != null) {
            int g = vlm.model().config().vision().gridSize();
            batch = batch.withPatchLabels(patchLabels(c.patchText(), g * g, images, where));
        }
        return new Encoded(batch, tiles, n, count);
    }

    /**
     * The patch readout's labels, {@link org.tessera.train.model.TrainableInternVL#PATCH_SLOTS} per patch: each
     * character's ASCII code, 0 for a space (no character), −1 for the slots past those the text gives. The text holds
     * k characters per patch (its length is k × patches, 1 ≤ k ≤ PATCH_SLOTS), patch after patch, row by row. The
     * labels describe the image as drawn, so it must be one tile exactly (no resize, no thumbnail).
     */
    static int[] patchLabels(String text, int patches, List<VisionLanguageModel.PreparedImage> images, String where) {
        if (images.size() != 1) throw new IllegalArgumentException(where + ": \"patch_text\" needs exactly one image");
        var plan = images.get(0).plan();
        if (images.get(0).tiles().count() != 1 || plan.width() != plan.tileSize() || plan.height() != plan.tileSize()) {
            throw new IllegalArgumentException(where + ": \"patch_text\" needs an image of exactly one " + plan.tileSize() + " px tile, not "
                    + plan.width() + "x" + plan.height() + " in " + images.get(0).tiles().count() + " tiles");
        }
        int slots = org.tessera.train.model.TrainableInternVL.PATCH_SLOTS;
        int k = text.length() / patches;
        if (k < 1 || k > slots || text.length() != k * patches) {
            throw new IllegalArgumentException(where + ": \"patch_text\" holds " + text.length() + " characters; the model's "
                    + patches + " patches take 1 to " + slots + " each (" + patches + ", " + 2 * patches + ", ...)");
        }
        int[] labels = new int[patches * slots];
        java.util.Arrays.fill(labels, -1);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch != ' ' && (ch < 33 || ch > 126)) throw new IllegalArgumentException(where + ": \"patch_text\" holds '" + ch + "', not printable ASCII");
            labels[(i / k) * slots + i % k] = ch == ' ' ? 0 : ch;
        }
        return labels;
    }

    /** Replaces each {@code <image>} of {@code text} by the next image's tokens. */
    private static String expand(String text, List<VisionLanguageModel.PreparedImage> images, int[] next) {
        StringBuilder sb = new StringBuilder();
        int from = 0, at;
        while ((at = text.indexOf(ChatTemplate.IMAGE_PLACEHOLDER, from)) >= 0) {
            ImageTokenLayout l = images.get(next[0]++).tokens();
            sb.append(text, from, at).append(l.expand(InternVLModel.IMG_CONTEXT));
            from = at + ChatTemplate.IMAGE_PLACEHOLDER.length();
        }
        return sb.append(text, from, text.length()).toString();
    }

    private static int count(String s, String sub) {
        int n = 0, i = 0;
        while ((i = s.indexOf(sub, i)) >= 0) {
            n++;
            i += sub.length();
        }
        return n;
    }
}
