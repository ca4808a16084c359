package org.tessera.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds raw safetensors bytes for tests, bypassing the writer so that invalid files can be made. */
final class TestFiles {
    private TestFiles() {}

    /** 8-byte little-endian length, the header bytes as given (no padding), then {@code dataLen} bytes 0, 1, 2, ... */
    static byte[] raw(String header, int dataLen) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(h, dataLen);
    }

    static byte[] raw(byte[] header, int dataLen) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (int i = 0; i < dataLen; i++) b.put((byte) i);
        return b.array();
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file under src/test/resources. */
    static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
