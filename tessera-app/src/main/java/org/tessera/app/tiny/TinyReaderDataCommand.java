package org.tessera.app.tiny;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera tiny reader-data}: the one-tile reading lessons, {@link TinyRecipe#writeCellTextData} (one character per
 * patch), {@link TinyRecipe#writeDigitTextData} (free lines of numbers) and {@link TinyRecipe#writeTileTextData} (free
 * lines of receipt text).
 */
@Command(name = "reader-data", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a lesson for the reader: one-tile images (112 px) answered with their text, each with \"patch_text\", the characters "
                + "of every 14 px patch (up to four, each drawn character named once), for the training setting patch_readout. --lesson cells: three lines with one character centred in each patch "
                + "(the first lesson); --lesson grid: lines of characters at a regular pitch (--pitch), starting anywhere; --lesson digits: one to four lines of prices, dates, times and numbers at any position and size; --lesson text: one to four lines of receipt text (and random characters) at any position and size.",
                "Writes DATA/train_NAME.jsonl and DATA/NAME/; the text lesson reads DATA/train_layout.jsonl (data synth --layout, or tessera tiny train's data/).",
                "Example: tessera tiny reader-data --data runs/tiny/data --name tiletext --count 30000 && "
                        + "tessera train --model runs/tiny/init --data runs/tiny/data/train_tiletext.jsonl --config reader.json --out runs/reader"})
public final class TinyReaderDataCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Rendered receipts with their layout (train_layout.jsonl).")
    Path data;

    @Option(names = "--lesson", paramLabel = "KIND", description = "cells, grid, digits or text (default ${DEFAULT-VALUE}).")
    String lesson = "text";

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the lesson's file and folder (default: the lesson's kind).")
    String name;

    @Option(names = "--count", paramLabel = "N", description = "Images to write (default ${DEFAULT-VALUE}).")
    int count = 30_000;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed = TinyRecipe.SEED;

    @Option(names = "--cap", paramLabel = "MIN,MAX", split = ",", description = "Digits and text lessons: cap heights of the text in pixels (default 10,20).")
    double[] cap = {10, 20};

    @Option(names = "--pitch", paramLabel = "MIN,MAX", split = ",", description = "Grid lesson: the characters' pitch in pixels (default 13,15).")
    double[] pitch = {13, 15};

    @Option(names = "--random-share", paramLabel = "X", description = "Text lesson: share of lines of random characters, which no language prior predicts (default ${DEFAULT-VALUE}).")
    double randomShare = 0.5;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (!List.of("cells", "grid", "digits", "text").contains(lesson)) throw new IllegalArgumentException("--lesson must be cells, grid, digits or text, got '" + lesson + "'");
        if (name == null) name = lesson;
        if (!name.matches("[A-Za-z0-9_-]+")) throw new IllegalArgumentException("--name must be letters, digits, '-' or '_', got '" + name + "'");
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1");
        if (lesson.equals("cells")) {
            Path out = TinyRecipe.writeCellTextData(data, name, count, seed, TinyRecipe.CELL_CHARS);
            w.printf("wrote %d one-tile reading examples (one character per patch) to %s (images in %s)%n", count, out, data.resolve(name));
            return 0;
        }
        if (lesson.equals("grid")) {
            if (pitch.length != 2 || !(pitch[0] >= 4) || pitch[1] < pitch[0] || pitch[1] > TinyRecipe.TILE / 4.0) {
                throw new IllegalArgumentException("--pitch takes MIN,MAX with 4 <= MIN <= MAX <= " + TinyRecipe.TILE / 4);
            }
            Path out = TinyRecipe.writeGridTextData(data, name, count, seed, TinyRecipe.CELL_CHARS, pitch[0], pitch[1]);
            w.printf("wrote %d one-tile reading examples (characters at a %s-%s px pitch) to %s (images in %s)%n", count, pitch[0], pitch[1], out, data.resolve(name));
            return 0;
        }
        if (cap.length != 2 || !(cap[0] >= 4) || cap[1] < cap[0] || cap[1] > TinyRecipe.TILE / 2.0) {
            throw new IllegalArgumentException("--cap takes MIN,MAX with 4 <= MIN <= MAX <= " + TinyRecipe.TILE / 2);
        }
        if (lesson.equals("digits")) {
            Path out = TinyRecipe.writeDigitTextData(data, name, count, seed, cap[0], cap[1]);
            w.printf("wrote %d one-tile reading examples (lines of numbers) to %s (images in %s)%n", count, out, data.resolve(name));
            return 0;
        }
        if (!Files.isRegularFile(data.resolve("train_layout.jsonl"))) {
            throw new IllegalArgumentException(data + " has no train_layout.jsonl: render receipts with 'tessera data synth --layout' (or tessera tiny train) first");
        }
        if (!(randomShare >= 0 && randomShare <= 1)) throw new IllegalArgumentException("--random-share must be in [0, 1]");
        Path out = TinyRecipe.writeTileTextData(data, name, count, seed, cap[0], cap[1], randomShare);
        w.printf("wrote %d one-tile reading examples to %s (images in %s)%n", count, out, data.resolve(name));
        return 0;
    }
}
