package org.tessera.eval.report;

import org.tessera.eval.run.RunSettings;

/** One setting of an ablation: how it ran, what it cost, what it scored (NaN without answers). */
public record SweepRow(RunSettings settings, Usage usage, double score) {}
