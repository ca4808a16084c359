package org.tessera.app.tiny;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tessera tiny ...}: tessera-tiny, the model tessera trains and ships itself. */
@Command(name = "tiny", mixinStandardHelpOptions = true,
        description = "Train and measure tessera-tiny, tessera's own small InternVL-architecture model.",
        subcommands = {TinyTrainCommand.class, TinyEvalCommand.class, TinyReaderDataCommand.class})
public final class TinyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
