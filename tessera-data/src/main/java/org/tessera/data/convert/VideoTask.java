package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.tessera.vision.tiling.VideoFrames;

/**
 * Video rows as frame samples: {@code frames} (a JSON array of frame paths, or a text list separated by {@code |}),
 * or {@code video} naming a directory of extracted frames (image files in name order). {@code --frames N} frames
 * are sampled as the model cards do ({@link VideoFrames#sampleIndices}: the middle of N equal segments) and written
 * as a multi-image sample whose question starts {@code Frame1: <image>\nFrame2: <image>\n…}. Video files themselves
 * are not decoded: extract their frames first (e.g. {@code ffmpeg -i clip.mp4 clip/%05d.jpg}).
 */
final class VideoTask implements Converter.TaskConverter {
    private static final List<String> IMAGE_EXT = List.of(".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff");
    private final ConvertOptions o;

    VideoTask(ConvertOptions o) {
        this.o = o;
    }

    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        for (Row row : rows) {
            ctx.each(row, () -> {
                String question = row.require("question");
                String answer = row.require("answer");
                List<String> all = frames(row, ctx);
                if (all.isEmpty()) throw new BadRow(row.place(), "the video has no frames");
                List<String> chosen = VideoFrames.sample(all, o.frames);
                List<ImageFiles.Size> sizes = new ArrayList<>();
                for (String f : chosen) sizes.add(ctx.images.size(row.place(), f));
                ctx.emit(Converter.multi(ctx.id(row), chosen, sizes,
                        Converter.oneTurn(VideoFrames.promptPrefix(chosen.size()) + question, answer)));
            });
        }
    }

    private List<String> frames(Row row, Converter.Context ctx) {
        JsonNode f = row.get("frames");
        if (f != null) {
            List<String> out = new ArrayList<>();
            if (f.isArray()) {
                for (JsonNode x : f) out.add(x.asText());
            } else {
                for (String s : f.asText().split("\\|")) if (!s.isBlank()) out.add(s.strip());
            }
            return out;
        }
        String video = row.text("video");
        if (video == null) throw new BadRow(row.place(), "no \"frames\" list and no \"video\" frame directory");
        Path dir = ctx.images.resolve(video);
        if (Files.isRegularFile(dir)) {
            throw new BadRow(row.place(), video + " is a file; give the directory of its extracted frames (e.g. ffmpeg -i "
                    + dir.getFileName() + " DIR/%05d.jpg)");
        }
        if (!Files.isDirectory(dir)) throw new BadRow(row.place(), "video frame directory " + video + " not found (looked for " + dir + ")");
        try (Stream<Path> s = Files.list(dir)) {
            String prefix = video.endsWith("/") ? video : video + "/";
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> IMAGE_EXT.stream().anyMatch(e -> n.toLowerCase(Locale.ROOT).endsWith(e)) && !n.startsWith("."))
                    .sorted().map(n -> prefix + n).toList();
        } catch (IOException e) {
            throw new BadRow(row.place(), "cannot list " + dir + ": " + e.getMessage());
        }
    }
}
