package dev.knitting.bench;

import dev.knitting.internal.os.NativeHeap;
import dev.knitting.internal.os.SealedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a {@code BufferReference}'s memory costs per reference, {@code calloc} against a sealed memfd
 * ({@link SealedMemory}), from 4 KiB to 64 MiB: allocate, touch one byte per page, free. The
 * numbers behind {@code NativeBlock.allocate} taking heap memory. Prints the median of many runs per size, both
 * kinds measured alternately so machine noise hits both alike.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes dev.knitting.bench.ReferenceAllocationCost</pre>
 */
public final class ReferenceAllocationCost {
    private ReferenceAllocationCost() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        long[] sizes = {4 << 10, 64 << 10, 256 << 10, 1 << 20, 16 << 20, 64 << 20};
        System.out.println("| size | calloc + touch + free p50 | sealed memfd + touch + free p50 | memfd / calloc |");
        System.out.println("|---:|---:|---:|---:|");
        for (long size : sizes) {
            int runs = size >= (16 << 20) ? 40 : 2_000;
            long[] heap = new long[runs];
            long[] memfd = new long[runs];
            for (int warm = 0; warm < 2; warm++) {
                for (int i = 0; i < runs; i++) {
                    heap[i] = heap(size);
                    memfd[i] = memfd(size);
                }
            }
            long h = median(heap);
            long m = median(memfd);
            System.out.printf(Locale.ROOT, "| %s | %.1f us | %.1f us | %.2fx |%n", label(size), h / 1e3, m / 1e3,
                    (double) m / h);
        }
    }

    private static long heap(long size) {
        long start = System.nanoTime();
        long address = NativeHeap.allocateZeroed(size);
        touch(NativeHeap.view(address, size, Arena.global()));
        NativeHeap.free(address);
        return System.nanoTime() - start;
    }

    private static long memfd(long size) {
        long start = System.nanoTime();
        SealedMemory.Block block = SealedMemory.create("knitting-ref", size);
        touch(NativeHeap.view(block.address(), size, Arena.global()));
        SealedMemory.release(block);
        return System.nanoTime() - start;
    }

    private static void touch(MemorySegment segment) {
        for (long at = 0; at < segment.byteSize(); at += 4096) {
            segment.set(ValueLayout.JAVA_BYTE, at, (byte) 1);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String label(long size) {
        return size >= (1 << 20) ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
    }
}
