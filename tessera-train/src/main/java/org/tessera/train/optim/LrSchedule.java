package org.tessera.train.optim;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmup} steps, then cosine decay to {@code minLr} at
 * {@code total} steps (transformers' {@code get_cosine_schedule_with_warmup}, with a floor). Steps count from 0.
 */
public record LrSchedule(double peak, double minLr, int warmup, int total) {

    public LrSchedule {
        if (!(peak > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        if (minLr < 0 || minLr > peak) throw new IllegalArgumentException("min learning rate must be in [0, peak]");
        if (warmup < 0 || total < 1) throw new IllegalArgumentException("bad schedule lengths");
    }

    /** The rate for step {@code s} (0-based). */
    public double at(int s) {
        if (s < warmup) return peak * (s + 1) / (warmup + 1);
        int span = Math.max(1, total - warmup);
        double progress = Math.min(1.0, (double) (s - warmup) / span);
        return minLr + (peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
