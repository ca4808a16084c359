package org.tessera.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tessera.api.Answer;
import org.tessera.api.ChatSession;
import org.tessera.api.ImageInput;
import org.tessera.api.VisionLanguageModel;
import org.tessera.vision.tiling.TilePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera chat}: a multi-turn conversation on stdin/stdout. Lines starting with {@code /} are commands;
 * anything else is a question, answered as it streams. Works with a pipe too (one question per line).
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talk with the model about images, turn after turn.",
                "Commands: /image PATH [PAGE] adds an image to the next question, /tiles shows the plans, /reset clears the",
                "conversation, /help, /exit (or end of input)."})
public final class ChatCommand implements Callable<Integer> {
    static final String HELP = "/image PATH [PAGE]  add an image (or a PDF page) to the next question\n"
            + "/tiles              show the tile plan of every image so far\n"
            + "/reset              forget the conversation and its images\n"
            + "/exit               leave (end of input does too)";

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ModelTilingOptions tiling;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ImageInputOptions input;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Where questions come from; stdin unless a test sets it. */
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean interactive = Progress.terminal();
        try (VisionLanguageModel vlm = modelOptions.load(input)) {
            ChatSession chat = vlm.newChat(tiling.toTiling(), sampling.toSampling());
            Progress progress = new Progress(System.err, interactive);
            if (interactive) out.println("tessera chat: " + vlm.directory() + " (/help for commands)");
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null) break;
                line = line.strip();
                if (line.isEmpty()) continue;
                if (line.startsWith("/")) {
                    if (!command(line, chat, out, err)) break;
                    continue;
                }
                try {
                    Answer a = chat.send(line, progress.listener(Progress.answerPrinter(out)));
                    progress.clear();
                    out.println();
                    if (a.finishReason() == Answer.FinishReason.LENGTH) err.println("(answer cut at the token limit)");
                } catch (RuntimeException e) {
                    // A bad image or an overlong prompt ends this turn, not the conversation.
                    progress.clear();
                    err.println("tessera: " + e.getMessage());
                }
                out.flush();
                err.flush();
            }
            out.flush();
            return 0;
        }
    }

    /** Runs a slash command; false means leave. */
    private boolean command(String line, ChatSession chat, PrintWriter out, PrintWriter err) {
        String[] parts = line.split("\\s+", 2);
        switch (parts[0]) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/help" -> out.println(HELP);
            case "/reset" -> {
                chat.reset();
                out.println("(conversation cleared)");
            }
            case "/tiles" -> {
                var plans = chat.plans();
                if (plans.isEmpty() && chat.pendingImages() == 0) out.println("(no images yet)");
                for (int i = 0; i < plans.size(); i++) {
                    TilePlan p = plans.get(i);
                    out.printf("image %d: %dx%d -> %s %dx%d grid, %d tiles%s, %d image tokens%n  %s%n", i + 1, p.width(), p.height(), p.strategy(),
                            p.cols(), p.rows(), p.tiles().size(), p.hasThumbnail() ? " (thumbnail included)" : "", p.imageTokens(),
                            p.layout().describe());
                }
                if (chat.pendingImages() > 0) out.println(chat.pendingImages() + " image(s) waiting for the next question");
            }
            case "/image" -> {
                if (parts.length < 2) {
                    err.println("tessera: /image needs a path");
                    break;
                }
                String arg = parts[1].strip();
                int page = 1;
                int sp = arg.lastIndexOf(' ');
                if (sp > 0 && arg.substring(sp + 1).matches("\\d+") && !java.nio.file.Files.exists(Path.of(arg))) {
                    page = Integer.parseInt(arg.substring(sp + 1));
                    arg = arg.substring(0, sp).strip();
                }
                Path p = Path.of(arg);
                if (!java.nio.file.Files.isRegularFile(p)) {
                    err.println("tessera: " + p + ": no such file");
                    break;
                }
                chat.addImage(ImageInput.pdfPage(p, page));
                out.println("(image added to the next question: " + p + ")");
            }
            default -> err.println("tessera: unknown command " + parts[0] + "\n" + HELP);
        }
        out.flush();
        err.flush();
        return true;
    }
}
