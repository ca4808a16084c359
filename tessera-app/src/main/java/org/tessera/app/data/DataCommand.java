package org.tessera.app.data;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tessera data ...}: tools for fine-tuning and pre-training data. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Data tools: convert task data to InternVL's fine-tuning format, filter image-caption pairs by perplexity.",
        subcommands = {DataSynthCommand.class, DataConvertCommand.class, DataPplCommand.class})
public final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
