package org.tessera.app.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tessera bench ...}: micro-benchmarks that print one JSON line each. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints one JSON line. The scripts under bench/ run a baseline (Pillow, "
                + "NumPy/OpenBLAS) in the same run and print ratios.",
        subcommands = {BenchTileCommand.class, BenchGemmCommand.class, BenchVitCommand.class, BenchPrefillCommand.class, BenchDecodeCommand.class,
                BenchAttentionCommand.class, BenchMemoryCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
