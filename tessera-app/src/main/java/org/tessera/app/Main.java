package org.tessera.app;

import org.tessera.app.bench.BenchCommand;
import org.tessera.app.data.DataCommand;
import org.tessera.app.data.SoupCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code tessera} command line; {@code ./tessera} runs this class. */
@Command(name = "tessera",
        mixinStandardHelpOptions = true,
        version = "tessera 0.1.0",
        description = "High-resolution vision-language models on the JVM.",
        subcommands = {AskCommand.class, ChatCommand.class, ServeCommand.class, TileCommand.class, EvalCommand.class, DataCommand.class,
                SoupCommand.class, TrainCommand.class, org.tessera.app.tiny.TinyCommand.class, ForwardCommand.class, TokenizeCommand.class, RandomCheckpointCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }
}
