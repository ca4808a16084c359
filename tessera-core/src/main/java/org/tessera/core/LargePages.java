package org.tessera.core;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for large weight buffers made at run time (Q8_0 copies, benchmark weights), backed by transparent
 * huge pages where Linux allows it: an anonymous {@code mmap} aligned to 2 MB and {@code madvise(MADV_HUGEPAGE)}
 * before it is touched (this machine's THP mode is {@code madvise}, so plain allocations stay on 4 KB pages).
 *
 * <p>Why. Decoding streams every weight once per token, and the hardware prefetchers do not cross a 4 KB page: each
 * page starts a fresh stream, and a TLB walk. On this Zen 3 the bf16 matrix-vector kernel read 24.5 GB/s from 4 KB
 * pages and 29.3 GB/s from 2 MB pages (same process, alternating, 272 MB head matrix). A checkpoint mapped from an
 * ext4 file already gets that on this kernel (6.18): its page cache holds large folios and a read-only mapping
 * is PMD-mapped ({@code FilePmdMapped} in /proc/self/smaps_rollup), so this is only for memory tessera allocates.
 *
 * <p>Falls back to {@code arena.allocate} (4 KB pages) below 2 MB, off Linux/x86-64, without native access, or if a
 * call fails. Contents start zeroed either way. The mapping is unmapped when the arena closes.
 */
public final class LargePages {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3, MAP_PRIVATE_ANONYMOUS = 0x22, MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP, MUNMAP, MADVISE;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        try {
            String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
            String arch = System.getProperty("os.arch", "");
            if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))
                    && !Boolean.getBoolean("tessera.noLargePages")) {
                Linker lk = Linker.nativeLinker();
                var libc = lk.defaultLookup();
                mmap = lk.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = lk.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = lk.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            }
        } catch (Throwable e) { // no native access, no libc: plain allocations
            mmap = munmap = madvise = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private LargePages() {}

    /** {@code bytes} of zeroed memory owned by {@code arena}, on huge pages when possible (see the class comment). */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes >= HUGE && MMAP != null) {
            try {
                long len = (bytes + HUGE - 1) / HUGE * HUGE + HUGE; // room to align the start to 2 MB
                MemorySegment raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, len, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (raw.address() != -1L && raw.address() != 0L) {
                    long start = (raw.address() + HUGE - 1) & -HUGE;
                    MemorySegment aligned = MemorySegment.ofAddress(start).reinterpret(len - (start - raw.address()));
                    int rc = (int) MADVISE.invokeExact(aligned, aligned.byteSize() & -HUGE, MADV_HUGEPAGE);
                    long base = raw.address();
                    return MemorySegment.ofAddress(start).reinterpret(bytes, arena, s -> unmap(base, len));
                }
            } catch (Throwable e) {
                // fall through to a plain allocation
            }
        }
        return arena.allocate(bytes, 64);
    }

    private static void unmap(long address, long len) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), len);
        } catch (Throwable ignored) {
            // nothing to do: the memory stays mapped
        }
    }
}
