/**
 * Compute kernels: pure Java on the Vector API (AVX2 + FMA: 8-float vectors), multi-threaded on
 * {@link org.tessera.core.Parallel}.
 *
 * <ul>
 *   <li>{@link org.tessera.core.kernels.WeightMatrix}: a {@code [out_features, in_features]} weight read in place
 *       from a (mapped) segment as F32, BF16 or F16, or quantised at load time to Q8_0
 *       ({@link org.tessera.core.kernels.WeightMatrix#quantizeQ8}).</li>
 *   <li>{@link org.tessera.core.kernels.Gemm#matmul}: {@code out = a·Wᵀ + bias}; m ≤ 2 goes to the streaming
 *       {@link org.tessera.core.kernels.MatVec}.</li>
 *   <li>{@link org.tessera.core.kernels.Attention}: blocked online-softmax attention, bidirectional or causal, GQA,
 *       over K/V arrays of any strides or a {@link org.tessera.core.kernels.KvCache} kept in the kernel's layout.</li>
 *   <li>{@link org.tessera.core.kernels.Norms} (LayerNorm, RMSNorm), {@link org.tessera.core.kernels.Activations}
 *       (exact GELU with its own erf, SiLU, SwiGLU), {@link org.tessera.core.kernels.Softmax},
 *       {@link org.tessera.core.kernels.Rope} (rotate-half, from standard or given frequencies) and
 *       {@link org.tessera.core.kernels.LongRope} (Phi-3's short/long-factor tables with magnitude scaling).</li>
 *   <li>{@link org.tessera.core.kernels.ReferenceKernels}: scalar double-precision versions for tests.</li>
 * </ul>
 * All kernels take f32 activations; weight segments must belong to a shared, global or automatic arena because
 * pool threads read them.
 */
package org.tessera.core.kernels;
