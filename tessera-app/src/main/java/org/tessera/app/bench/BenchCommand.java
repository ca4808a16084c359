package org.tessera.app.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tessera bench ...}: micro-benchmarks that print one JSON line each. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Micro-benchmarks of tessera's kernels; each prints one JSON line.",
        subcommands = {BenchGemmCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
