package org.tessera.model.llm;

import java.util.List;
import org.tessera.core.DType;
import org.tessera.core.kernels.WeightMatrix;

/**
 * The weights of a Llama-style decoder as {@link DecoderModel} runs them, whatever the checkpoint called them: each
 * family's loader reads its own tensor names and hands them over in this shape.
 *
 * @param embed  [vocab, hidden], read one row per token
 * @param layers the decoder layers in order
 * @param norm   the final RMSNorm weight
 * @param head   [vocab, hidden]: the LM head (the embedding matrix itself when tied)
 */
public record DecoderWeights(WeightMatrix embed, List<Layer> layers, float[] norm, WeightMatrix head) {

    /**
     * One layer: {@code x += o(attention(qkv(rms_norm(x))))}, {@code x += down(silu(gate(rms_norm(x))) · up(rms_norm(x)))}.
     *
     * @param oBias may be null
     */
    public record Layer(float[] attentionNorm, QkvProjection qkv, WeightMatrix o, float[] oBias, float[] mlpNorm,
                        WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}

    public DecoderWeights {
        layers = List.copyOf(layers);
    }

    /** Bytes of weights one decoded token reads: every layer's matrices and the head (not the embedding table). */
    public long decodeBytes() {
        long bytes = head.storedBytes();
        for (Layer l : layers) {
            bytes += l.qkv().storedBytes() + l.o().storedBytes() + l.gate().storedBytes() + l.up().storedBytes() + l.down().storedBytes();
        }
        return bytes;
    }

    /**
     * Rows {@code [from, from + count)} of {@code w} as a matrix of their own, sharing its memory (rows are contiguous
     * in every format, so this is a slice of the data, and of the scales for Q8_0). Used to cut fused tensors whose
     * parts are stacked by rows (Phi-3's {@code qkv_proj} and {@code gate_up_proj}).
     */
    public static WeightMatrix rowSlice(WeightMatrix w, int from, int count) {
        if (from < 0 || count <= 0 || from + count > w.rows()) {
            throw new IllegalArgumentException("rows [" + from + ", " + (from + count) + ") outside [0, " + w.rows() + ")");
        }
        if (from == 0 && count == w.rows()) return w;
        int blocks = (w.cols() + WeightMatrix.Q8_BLOCK - 1) / WeightMatrix.Q8_BLOCK;
        long rowBytes = switch (w.format()) {
            case F32 -> 4L * w.cols();
            case BF16, F16 -> 2L * w.cols();
            case Q8_0 -> (long) blocks * WeightMatrix.Q8_BLOCK;
        };
        var data = w.data().asSlice(from * rowBytes, count * rowBytes);
        return switch (w.format()) {
            case F32 -> WeightMatrix.of(data, DType.F32, count, w.cols());
            case BF16 -> WeightMatrix.of(data, DType.BF16, count, w.cols());
            case F16 -> WeightMatrix.of(data, DType.F16, count, w.cols());
            case Q8_0 -> {
                long scaleRow = 4L * blocks;
                yield WeightMatrix.ofQ8(data, w.scales().asSlice(from * scaleRow, count * scaleRow), count, w.cols());
            }
        };
    }
}
