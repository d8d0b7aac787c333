package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.failureOf;
import static dev.knitting.process.ProcessTestSupport.uniquePrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.Permission;
import dev.knitting.OpenPools;
import dev.knitting.Pool;
import dev.knitting.PoolBuilder;
import dev.knitting.ProtocolException;
import dev.knitting.SharedMemoryMode;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.ShrinkTasks;
import dev.knitting.process.fixtures.ShrinkTasks.Attempt;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process worker that tries to shrink memory its host maps ({@link ShrinkTasks}): truncating a
 * buffer it returns, its lane, a named buffer, or pointing a buffer's descriptor at memory it can
 * truncate, a FIFO or a plain file. Truncated memory under a mapping faults the host
 * ({@code SIGBUS}, surfacing as {@code InternalError} or a crash); SPEC 3 says the host never takes
 * one. Every attack is refused or fails its own call with {@link ProtocolException}, the host
 * keeps no descriptor or mapping of what it refused, and the pool serves normally afterwards.
 */
class ShrinkingWorkerTest {
    private final OpenPools pools = new OpenPools();
    private final List<String> names = new ArrayList<>();

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldSealAnAnonymousBufferAWorkerCreatesSoThatItCannotTruncateItUnderTheHost() {
        Pool pool = processPool(Knitting.pool());

        Attempt attempt = pool.call(ShrinkTasks.TRUNCATE_OWN_ANONYMOUS, 8192).join();

        try (ProcessSharedBuffer buffer = attempt.buffer()) {
            assertThat(attempt.outcome()).startsWith("refused").contains("Operation not permitted");
            assertThat(buffer.byteSize()).isEqualTo(8192);
            assertThat(buffer.segment().mismatch(MemorySegment.ofArray(filled(8192, (byte) 7)))).isEqualTo(-1);
        }
        assertThat(pool.call(ShrinkTasks.SQUARE, 7).join()).isEqualTo(49);
    }

    /** Issue 9 item 5: the host mapped the worker's named buffer, the worker truncated it, the host faulted. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseANamedBufferAWorkerCreatedSinceTheWorkerCouldTruncateItUnderTheHost() {
        // a strict worker cannot create shared memory at all; granted, it tries the attack
        Pool pool = processPool(Knitting.pool().permission(Permission.strict().allowWrite(Path.of("/dev/shm"))));
        String name = name("knsh");

        Throwable failure = failureOf(pool.call(ShrinkTasks.CREATE_NAMED, name));

        assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("name=" + name)
                .hasMessageContaining("cannot be sealed");
        assertThat(pool.call(ShrinkTasks.TRUNCATE_NAMED, name).join()).isEqualTo("truncated");
        assertThat(descriptorsOf("/dev/shm/" + name)).as("host descriptors of the refused buffer").isEmpty();
        assertThat(mappingsOf("/dev/shm/" + name)).as("host mappings of the refused buffer").isZero();
        assertThat(pool.call(ShrinkTasks.SQUARE, 7).join()).isEqualTo(49);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldTakeBackTheHostsOwnNamedBufferWhenAWorkerReturnsIt() {
        Pool pool = processPool(Knitting.pool());
        String name = name("knho");
        try (ProcessSharedBuffer sent = ProcessSharedBuffer.create(name, 4096)) {
            sent.segment().fill((byte) 3);

            try (ProcessSharedBuffer back = pool.call(BufferTasks.ECHO, sent).join()) {
                assertThat(back.name()).contains(name);
                assertThat(back.segment().address()).as("the host's own mapping").isEqualTo(sent.segment().address());
            }
        }
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldSealTheInheritedLaneSoThatItsWorkerCanNeitherShrinkNorGrowIt() {
        Pool pool = processPool(Knitting.pool().sharedMemory(SharedMemoryMode.INHERIT));

        String outcome = pool.call(ShrinkTasks.RESIZE_INHERITED_LANE, 0).join();

        assertThat(outcome).isEqualTo("shrink: refused: Operation not permitted; grow: refused: Operation not permitted");
        for (int i = 0; i < 20; i++) {
            assertThat(pool.call(ShrinkTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        assertThat(pool.stats().workerRestarts()).isZero();
    }

    /**
     * A NAMED lane cannot be sealed: instead no way to it is left once the worker has mapped it
     * (its name is gone, and neither the worker nor its host keeps a descriptor of it).
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldLeaveAWorkerNoNameAndNoDescriptorToTruncateItsNamedLaneThrough() {
        Pool pool = processPool(Knitting.pool().sharedMemory(SharedMemoryMode.NAMED));

        List<String> ways = pool.call(ShrinkTasks.REACH_NAMED_LANE, 0).join();

        assertThat(ways).containsExactly("by name: no such name");
        for (int i = 0; i < 20; i++) {
            assertThat(pool.call(ShrinkTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        assertThat(pool.stats().workerRestarts()).isZero();
    }

    /** Issue 9 item 10: the host mapped whatever the worker's fd named, sealed or not. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseABufferWhoseDescriptorTheWorkerPointedAtAnUnsealedMemfd() {
        Pool pool = processPool(Knitting.pool());
        pool.call(ShrinkTasks.SQUARE, 1).join();
        int before = openDescriptors();
        long mappedBefore = mappingsOf("memfd:knitting-psb");

        for (int i = 0; i < 10; i++) {
            Throwable failure = failureOf(pool.call(ShrinkTasks.SWAP_IN_UNSEALED_MEMFD, 4096));

            assertThat(failure).as("attempt %d", i).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("not sealed against shrinking");
        }

        assertThat(mappingsOf("memfd:knitting-psb")).as("host mappings of buffers").isLessThanOrEqualTo(mappedBefore);
        assertThat(openDescriptors()).as("host descriptors after 10 refusals").isLessThan(before + 10);
        assertThat(pool.call(ShrinkTasks.SQUARE, 7).join()).isEqualTo(49);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "plain file"})
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseABufferWhoseDescriptorTheWorkerPointedAtSomethingElseWithoutHangingOrLeaking(String kind,
            @TempDir Path directory) throws Exception {
        Path target = directory.resolve(kind.equals("fifo") ? "forged.fifo" : "forged.bin");
        if (kind.equals("fifo")) {
            Process mkfifo = new ProcessBuilder("mkfifo", target.toString()).inheritIO().start();
            assertThat(mkfifo.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(mkfifo.exitValue()).isZero();
        } else {
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
                file.setLength(8192);
            }
        }
        Pool pool = processPool(Knitting.pool().permission(Permission.strict().allowWrite(directory)));
        pool.call(ShrinkTasks.SQUARE, 1).join();
        int before = openDescriptors();

        for (int i = 0; i < 10; i++) {
            Throwable failure = failureOf(pool.call(ShrinkTasks.SWAP_IN_FILE, target.toString()));

            assertThat(failure).as("attempt %d", i).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("not a ProcessSharedBuffer");
        }

        assertThat(descriptorsOf(target.toString())).as("host descriptors of the %s", kind).isEmpty();
        assertThat(openDescriptors()).as("host descriptors after 10 refusals").isLessThan(before + 10);
        assertThat(pool.call(ShrinkTasks.SQUARE, 7).join()).isEqualTo(49);
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
        names.forEach(ProcessSharedBuffer::unlink);
    }

    private Pool processPool(PoolBuilder builder) {
        Pool pool = builder.runtime(WorkerRuntime.PROCESS).threads(1).start(ShrinkTasks.class, BufferTasks.class);
        pools.add(pool);
        return pool;
    }

    private String name(String start) {
        String name = uniquePrefix(start) + "-" + System.nanoTime();
        names.add(name);
        return name;
    }

    private static byte[] filled(int size, byte value) {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    private static int openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return this JVM's descriptors whose link is {@code target}, deleted or not */
    private static List<String> descriptorsOf(String target) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(ShrinkingWorkerTest::link)
                    .filter(link -> link.equals(target) || link.equals(target + " (deleted)")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String link(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed meanwhile
        }
    }

    /** @return how many mappings of this JVM name {@code what} */
    private static long mappingsOf(String what) {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains(what)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
