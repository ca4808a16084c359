package org.tessera.train;

import java.util.SplittableRandom;

/** How a parameter is initialised when the checkpoint does not hold it (training from scratch, new adapters). */
@FunctionalInterface
public interface Init {
    void fill(float[] values, int rows, int cols, SplittableRandom rng);

    static Init constant(float c) {
        return (v, r, c2, rng) -> java.util.Arrays.fill(v, c);
    }

    static Init zeros() { return constant(0f); }

    static Init ones() { return constant(1f); }

    /** Normal(0, std²), truncated at ±2 std (timm's trunc_normal_, which InternViT uses). */
    static Init truncNormal(double std) {
        return (v, r, c, rng) -> {
            for (int i = 0; i < v.length; i++) {
                double x;
                do {
                    x = gaussian(rng);
                } while (Math.abs(x) > 2);
                v[i] = (float) (x * std);
            }
        };
    }

    /** Normal(0, std²) (transformers' default for Linear and Embedding weights with initializer_range). */
    static Init normal(double std) {
        return (v, r, c, rng) -> {
            for (int i = 0; i < v.length; i++) v[i] = (float) (gaussian(rng) * std);
        };
    }

    /** Uniform in ±1/√fan_in: PyTorch's kaiming_uniform_(a=√5) for a Linear weight, as peft initialises LoRA's A. */
    static Init kaimingUniform() {
        return (v, r, c, rng) -> {
            double bound = 1.0 / Math.sqrt(c);
            for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        };
    }

    /** A standard normal draw (Box–Muller; deterministic given the generator). */
    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
