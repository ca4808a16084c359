package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Central finite differences of a float64 objective against a float32 analytic gradient. The error of a tensor is
 * {@code max_i |fd_i − an_i| / max(max_i |fd_i|, floor)}: relative to the tensor's gradient scale, so a component that
 * happens to be tiny is not held to a relative standard float32 cannot meet.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Worst scaled error seen by {@link #check} calls in this JVM (for the report). */
    public static final List<String> LOG = new ArrayList<>();

    /**
     * Checks {@code samples} random coordinates of {@code param} plus the one with the largest analytic gradient
     * (all of them when the tensor is small).
     *
     * @return the scaled error
     */
    public static double check(String name, double[] param, float[] analytic, DoubleSupplier objective, int samples, long seed, double tol) {
        int n = param.length;
        List<Integer> idx = new ArrayList<>();
        if (n <= samples) {
            for (int i = 0; i < n; i++) idx.add(i);
        } else {
            Random r = new Random(seed);
            for (int s = 0; s < samples; s++) idx.add(r.nextInt(n));
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.abs(analytic[i]) > Math.abs(analytic[arg])) arg = i;
            idx.add(arg);
        }
        double maxErr = 0, maxFd = 0, maxAn = 0;
        for (float a : analytic) maxAn = Math.max(maxAn, Math.abs(a));
        double[] fds = new double[idx.size()];
        for (int s = 0; s < idx.size(); s++) {
            int i = idx.get(s);
            double orig = param[i];
            double h = 1e-5 * Math.max(1, Math.abs(orig));
            param[i] = orig + h;
            double fp = objective.getAsDouble();
            param[i] = orig - h;
            double fm = objective.getAsDouble();
            param[i] = orig;
            fds[s] = (fp - fm) / (2 * h);
            maxFd = Math.max(maxFd, Math.abs(fds[s]));
        }
        double scale = Math.max(Math.max(maxFd, maxAn), 1e-6);
        for (int s = 0; s < idx.size(); s++) maxErr = Math.max(maxErr, Math.abs(fds[s] - analytic[idx.get(s)]) / scale);
        String line = String.format("%-70s scaled error %.2e (grad scale %.2e, %d coords)", name, maxErr, scale, idx.size());
        LOG.add(line);
        assertTrue(maxErr <= tol, line + " > " + tol);
        return maxErr;
    }
}
