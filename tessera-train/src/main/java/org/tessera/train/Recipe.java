package org.tessera.train;

import java.util.List;
import org.tessera.train.model.TrainableInternVL;

/**
 * Applies a {@link TrainConfig}'s stage to a model: which tensors train, LoRA adapters, layer-wise learning-rate decay
 * of the vision encoder, and bf16 storage for the frozen matrices.
 *
 * <p>Layer-wise decay (BEiT-style, as InternLM-XComposer2-4KHD trains its ViT with 0.9): with L encoder layers that
 * run, layer i (from 0) gets {@code decay^(L − i)} of the learning rate and the patch/class/position embeddings
 * {@code decay^(L + 1)}; the projector and the language model get the full rate.
 */
public final class Recipe {
    private Recipe() {}

    /** What {@link #apply} decided, for the log. */
    public record Summary(boolean vit, boolean projector, boolean llm, boolean lora, long trainable, long total) {
        @Override
        public String toString() {
            return String.format("trains %s%s%s%s: %,d of %,d parameters", vit ? "vit " : "", projector ? "projector " : "",
                    llm ? "llm " : "", lora ? "lora-adapters" : "", trainable, total).replace(" :", ":");
        }
    }

    public static Summary apply(TrainableInternVL model, TrainConfig c) {
        Stage s = c.stage();
        boolean vit = c.trainVit() != null ? c.trainVit() : s == Stage.VIT || s == Stage.ALL;
        boolean proj = c.trainProjector() != null ? c.trainProjector() : s != Stage.LORA;
        boolean llm = c.trainLlm() != null ? c.trainLlm() : s == Stage.ALL;
        for (Parameter p : model.parameters().all()) p.trainable(false);
        int run = model.config().featureLayer();
        List<List<Parameter>> layers = model.visionLayers();
        for (Parameter p : model.visionEmbeddings()) {
            p.trainable(vit);
            p.lrScale(Math.pow(c.vitLayerDecay(), run + 1));
        }
        for (int i = 0; i < run; i++) {
            for (Parameter p : layers.get(i)) {
                p.trainable(vit);
                p.lrScale(Math.pow(c.vitLayerDecay(), run - i));
            }
        }
        for (Parameter p : model.projectorParameters()) p.trainable(proj);
        for (Parameter p : model.languageParameters()) p.trainable(llm);
        boolean lora = s == Stage.LORA;
        if (lora) model.attachLora(c.loraRank(), c.loraAlpha(), c.partialLora(), c.loraTargets());
        if (c.frozenBf16()) for (Parameter p : model.parameters().all()) p.storeFrozenAsBf16();
        long trainable = model.parameters().count(true);
        if (trainable == 0) throw new IllegalArgumentException("nothing to train: stage " + s.id() + " with these overrides freezes every tensor");
        return new Summary(vit, proj, llm, lora, trainable, model.parameters().count(false));
    }
}
