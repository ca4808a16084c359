package org.tessera.eval.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import org.tessera.api.ImageInput;

/**
 * Where one image of a sample is. Base64 cells of a TSV are not kept in memory: the reader notes where they are in
 * the file and they are read when the sample runs, so a multi-gigabyte benchmark file costs little heap.
 */
public sealed interface ImageRef {

    /** The image for the model; {@code name} appears in error messages. */
    ImageInput input(String name);

    /** A base64 cell of a file, {@code length} bytes at {@code offset}. */
    record Base64Slice(Path file, long offset, long length) implements ImageRef {
        @Override
        public ImageInput input(String name) {
            if (length > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(name + ": image cell too large");
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) throw new IOException("file shorter than when it was read");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            }
            return ImageInput.bytes(decode(new String(buf.array(), StandardCharsets.ISO_8859_1), name), name);
        }
    }

    /** Base64 text held in memory (quoted cells, list cells, JSONL). */
    record Base64Text(String base64) implements ImageRef {
        @Override
        public ImageInput input(String name) {
            return ImageInput.bytes(decode(base64, name), name);
        }
    }

    /** An image file. */
    record FileRef(Path path) implements ImageRef {
        @Override
        public ImageInput input(String name) {
            if (!Files.isRegularFile(path)) throw new IllegalArgumentException(name + ": no image file " + path);
            return ImageInput.file(path);
        }
    }

    /**
     * Base64 as Python's {@code base64.b64decode} reads it by default: characters outside the alphabet (line breaks,
     * spaces) are skipped.
     */
    static byte[] decode(String base64, String name) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": the image is not valid base64 (" + e.getMessage() + ")");
        }
    }
}
