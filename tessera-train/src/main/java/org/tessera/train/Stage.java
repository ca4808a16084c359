package org.tessera.train;

import java.util.Locale;

/**
 * What trains, after the papers' stages:
 * <ul>
 *   <li>{@code projector}: the MLP projector only (InternVL's stage-1 "MLP warm-up");</li>
 *   <li>{@code vit}: projector and vision encoder, with layer-wise learning-rate decay on the encoder (InternVL 2.5's
 *       ViT incremental learning; the decay of 0.9 is InternLM-XComposer2-4KHD's);</li>
 *   <li>{@code all}: everything (full fine-tuning);</li>
 *   <li>{@code lora}: LoRA adapters on the language model's projections, all else frozen (InternVL2's
 *       {@code --use_llm_lora} 2nd-stage scripts); {@code partial_lora} makes them act on image tokens only
 *       (InternLM-XComposer2's Partial LoRA).</li>
 * </ul>
 */
public enum Stage {
    PROJECTOR(2e-4, 0.01),
    VIT(4e-5, 0.05),
    ALL(4e-5, 0.01),
    LORA(4e-5, 0.01);

    /**
     * Default peak learning rate and weight decay: 4e-5 and 0.01 as in InternVL2's 2nd-finetune scripts (full and
     * LoRA); the projector stage's 2e-4 and the vit stage's 0.05 are starting points, not read from a script.
     */
    public final double lr;
    public final double weightDecay;

    Stage(double lr, double weightDecay) {
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public static Stage parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown stage '" + s + "' (projector, vit, all, lora)");
        }
    }

    public String id() { return name().toLowerCase(Locale.ROOT); }
}
