package org.tessera.app;

import picocli.CommandLine.Command;

/** {@code tessera bench}: measurements that print one JSON line each, for scripts under bench/ to compare. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Each prints one JSON line; the scripts under bench/ run a baseline in the same run and print ratios.",
        subcommands = {BenchTileCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
