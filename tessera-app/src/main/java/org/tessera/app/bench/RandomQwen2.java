package org.tessera.app.bench;

import java.util.ArrayList;
import java.util.List;
import org.tessera.core.kernels.WeightMatrix;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.model.qwen2.Qwen2Model;
import org.tessera.model.qwen2.Qwen2Weights;
import picocli.CommandLine.Option;

/**
 * The shapes and random weights shared by {@code bench prefill} and {@code bench decode}: Qwen2-0.5B as in
 * InternVL2-1B (24 layers, hidden 896, MLP 4864, 14 heads, 2 kv heads, vocabulary 151655) with an untied head.
 * Projection matrices and the head are stored in {@code --dtype}; the embedding table stays bf16 (as in the
 * checkpoint: it is read one row per token, and {@code --int8-llm} does not quantise it either).
 */
final class RandomQwen2 {
    @Option(names = "--hidden", description = "(default: ${DEFAULT-VALUE})")
    int hidden = 896;
    @Option(names = "--intermediate", description = "(default: ${DEFAULT-VALUE})")
    int inter = 4864;
    @Option(names = "--layers", description = "(default: ${DEFAULT-VALUE})")
    int layers = 24;
    @Option(names = "--heads", description = "(default: ${DEFAULT-VALUE})")
    int heads = 14;
    @Option(names = "--kv-heads", description = "(default: ${DEFAULT-VALUE})")
    int kvHeads = 2;
    @Option(names = "--vocab", description = "(default: ${DEFAULT-VALUE}, InternVL2-1B's)")
    int vocab = 151655;
    @Option(names = "--dtype", description = "weight storage: f32, bf16, f16, q8 (Q8_0) (default: ${DEFAULT-VALUE})")
    String dtype = "bf16";

    WeightMatrix.Format format() {
        return RandomWeights.parseDtype(dtype);
    }

    Qwen2Model build() {
        Qwen2Config cfg = new Qwen2Config(vocab, hidden, inter, layers, heads, kvHeads, hidden / heads, 1e-6, 1e6, 32768, false);
        RandomWeights r = new RandomWeights(3, format());
        int q = cfg.qDim(), kv = cfg.kvDim();
        List<Qwen2Weights.Layer> ls = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ls.add(new Qwen2Weights.Layer(r.vector(hidden, 1, 0.1f), r.matrix(q, hidden), r.vector(q, 0, 0.1f),
                    r.matrix(kv, hidden), r.vector(kv, 0, 0.1f), r.matrix(kv, hidden), r.vector(kv, 0, 0.1f), r.matrix(hidden, q),
                    r.vector(hidden, 1, 0.1f), r.matrix(inter, hidden), r.matrix(inter, hidden), r.matrix(hidden, inter)));
        }
        WeightMatrix embed = r.matrix(vocab, hidden, WeightMatrix.Format.BF16), head = r.matrix(vocab, hidden);
        return new Qwen2Model(cfg, new Qwen2Weights(embed, ls, r.vector(hidden, 1, 0.1f), head, false));
    }

    /** A prompt of {@code n} token ids spread over the vocabulary. */
    int[] prompt(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = (int) ((i * 7919L) % vocab);
        return ids;
    }
}
