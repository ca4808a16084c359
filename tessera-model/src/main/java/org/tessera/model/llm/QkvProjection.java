package org.tessera.model.llm;

import org.tessera.core.kernels.WeightMatrix;

/**
 * How a layer's attention input becomes queries, keys and values. Two storage shapes occur in the checkpoints:
 * <ul>
 *   <li>{@link Separate}: three matrices, one product each, written straight into the query buffer and the cache.
 *       Qwen2 stores them so; Phi-3's fused {@code qkv_proj} is {@code [q; k; v]} stacked by rows, so its three
 *       parts are contiguous row ranges of the mapped tensor and become zero-copy row views
 *       ({@link DecoderWeights#rowSlice}) of this same shape.</li>
 *   <li>{@link Grouped}: InternLM2's {@code wqkv}, whose rows interleave per KV head (g query heads, then that KV
 *       head's key, then its value). Row views would cut it into 3 × KV small products per layer (24 for
 *       InternLM2-1.8B), each a separate pass of the kernel with its own thread hand-off, which costs most in decode
 *       where the products are matrix-vector. Re-packing the rows at load time would copy every matrix off the
 *       memory-mapped file. Instead the whole matrix runs as one product into a scratch row per token, and a scatter
 *       of {@code (H + 2·KV)} blocks of headDim floats per token moves the parts to the query buffer and the cache:
 *       one pass over the weights, nothing copied at load, and the scatter is O(m·(H+2KV)·d) copies against the
 *       product's O(m·(H+2KV)·d·hidden) multiply-adds (1/2048 of it for InternLM2-1.8B).</li>
 * </ul>
 */
public sealed interface QkvProjection permits QkvProjection.Separate, QkvProjection.Grouped {

    /** Rows of the weight matrices, for {@link DecoderModel#decodeWeightBytes()}. */
    long storedBytes();

    /** q {@code [H·d, hidden]}, k and v {@code [KV·d, hidden]}; biases may be null. */
    record Separate(WeightMatrix q, float[] qBias, WeightMatrix k, float[] kBias, WeightMatrix v, float[] vBias) implements QkvProjection {
        @Override
        public long storedBytes() { return q.storedBytes() + k.storedBytes() + v.storedBytes(); }
    }

    /**
     * One matrix {@code [(H + 2·KV)·d, hidden]} laid out per KV head h as {@code [q_{h·g}, …, q_{h·g+g−1}, k_h, v_h]},
     * d rows each, g = H / KV; the bias (may be null) in the same order.
     */
    record Grouped(WeightMatrix w, float[] bias) implements QkvProjection {
        @Override
        public long storedBytes() { return w.storedBytes(); }
    }
}
