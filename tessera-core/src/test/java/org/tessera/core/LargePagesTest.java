package org.tessera.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class LargePagesTest {
    @Test
    void zeroedWritableAndFreedWithTheArena() {
        for (long bytes : new long[] {100, (3L << 20) + 5}) {
            MemorySegment s;
            try (Arena arena = Arena.ofShared()) {
                s = LargePages.allocate(arena, bytes);
                assertEquals(bytes, s.byteSize());
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 0));
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
                s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
                assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
                if (bytes >= 2 << 20) assertEquals(0, s.address() % 64);
            }
            MemorySegment closed = s;
            assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_BYTE, 0));
        }
    }
}
