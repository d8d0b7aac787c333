package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.Permission;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.ConfinementTasks;
import dev.knitting.shm.ProcessSharedBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Stream;
import java.lang.foreign.ValueLayout;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process workers under the default {@code Permission.strict()}: a task tries each thing a
 * confined worker must not do and gets the JDK's own exception (or {@code EPERM}); a worker with
 * grants can do exactly the granted things. Two pools serve every test: one strict, one granted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, threadMode = SEPARATE_THREAD)
class ProcessConfinementTest {
    private static final long HOST = ProcessHandle.current().pid();

    private Path dir;
    private Path readable;
    private Path writable;
    private Path secret;
    private ServerSocket tcp;
    private DatagramSocket udp;
    private Pool strict;
    private Pool granted;

    @BeforeAll
    void startPools(@TempDir Path tempDir) throws IOException {
        dir = tempDir;
        readable = Files.createDirectory(dir.resolve("readable"));
        writable = Files.createDirectory(dir.resolve("writable"));
        secret = Files.writeString(dir.resolve("secret.txt"), "host only");
        Files.writeString(readable.resolve("data.txt"), "granted data");
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        strict = Knitting.pool().runtime(WorkerRuntime.PROCESS).start(ConfinementTasks.class);
        granted = Knitting.pool().runtime(WorkerRuntime.PROCESS)
                .permission(Permission.strict().allowRead(readable, Path.of("/usr/bin"), Path.of("/bin"))
                        .allowWrite(writable).allowEnv("HOME").allowNetwork().allowExec())
                .start(ConfinementTasks.class);
    }

    @AfterAll
    void close() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {strict, granted, tcp, udp}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    private static String attempt(Pool pool, String what) {
        return pool.call(ConfinementTasks.TRY, what).join();
    }

    @Test
    void aStrictWorkerSeesNoneOfTheHostsVariables() {
        assertThat(System.getenv("HOME")).isNotNull();
        assertThat(attempt(strict, "env:HOME")).isEqualTo("ok null");
        assertThat(attempt(strict, "env:PATH")).isEqualTo("ok null");
    }

    @Test
    void aStrictWorkerCannotStartAProgram() {
        assertThat(attempt(strict, "exec:/usr/bin/true")).startsWith("denied java.io.IOException");
    }

    @Test
    void aStrictWorkerCannotReachTheNetwork() {
        assertThat(attempt(strict, "tcp:" + tcp.getLocalPort())).startsWith("denied java.net.SocketException");
        assertThat(attempt(strict, "udp:" + udp.getLocalPort())).startsWith("denied java.net.SocketException");
    }

    @Test
    void aStrictWorkerCanNeitherReadNorWriteOutsideItsGrants() {
        assertThat(attempt(strict, "read:" + secret)).startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(strict, "write:" + dir.resolve("new.txt")))
                .startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(dir.resolve("new.txt")).doesNotExist();
    }

    @Test
    void aStrictWorkerCannotReadTheHostsProcEntries() {
        assertThat(attempt(strict, "read:/proc/" + HOST + "/environ"))
                .startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(strict, "list:/proc/" + HOST + "/fd")).startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(strict, "read:/proc/" + HOST + "/cmdline"))
                .startsWith("denied java.nio.file.AccessDeniedException");
    }

    @Test
    void aStrictWorkerCannotReachAnotherWorkersLane() {
        String other = attempt(granted, "pid:");
        assertThat(other).startsWith("ok ");
        String pid = other.substring(3);

        assertThat(attempt(strict, "list:/proc/" + pid + "/fd")).startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(strict, "read:/proc/" + pid + "/environ"))
                .startsWith("denied java.nio.file.AccessDeniedException");
    }

    /**
     * The host's descriptors are out of reach: neither {@code /proc/<host>/fd/*} nor the entries of
     * any host thread ({@code /proc/<host>/task/*\/fd/*}) can be read or opened, not even those of
     * the thread that started the worker (it ends once the worker runs), yet shared buffers reach
     * the worker: their descriptors come over its descriptor channel.
     */
    @Test
    void aStrictWorkerCannotOpenAnyHostDescriptorYetSharedBuffersReachIt() {
        for (Pool pool : new Pool[] {strict, granted}) {
            List<String> threads;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                threads = tasks.map(task -> task.getFileName().toString()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String result = attempt(pool, "hostfds:" + HOST + ":" + String.join(",", threads));
            assertThat(result).isEqualTo("ok " + (threads.size() + 1) + " directories, 0 seen, 0 opened []");

            try (ProcessSharedBuffer anonymous = ProcessSharedBuffer.create(4096)) {
                anonymous.segment().set(ValueLayout.JAVA_LONG, 0, 41);
                assertThat(pool.call(ConfinementTasks.INCREMENT, anonymous).join()).isEqualTo(41L);
                assertThat(pool.call(ConfinementTasks.INCREMENT, anonymous).join()).isEqualTo(42L);
                assertThat(anonymous.segment().get(ValueLayout.JAVA_LONG, 0)).isEqualTo(43L);
            }
            String name = "knitting-confined-" + Long.toUnsignedString(new java.util.Random().nextLong(), 36);
            try (ProcessSharedBuffer named = ProcessSharedBuffer.create(name, 4096)) {
                named.segment().set(ValueLayout.JAVA_LONG, 0, 7);
                assertThat(pool.call(ConfinementTasks.INCREMENT, named).join()).isEqualTo(7L);
                assertThat(named.segment().get(ValueLayout.JAVA_LONG, 0)).isEqualTo(8L);
            } finally {
                ProcessSharedBuffer.unlink(name);
            }
        }
    }

    @Test
    void aStrictWorkerCannotPtraceItsHost() {
        assertThat(attempt(strict, "ptrace:" + HOST)).isEqualTo("denied errno 1");
    }

    @Test
    void aGrantedWorkerCanDoExactlyWhatWasGranted() throws IOException {
        assertThat(attempt(granted, "env:HOME")).isEqualTo("ok " + System.getenv("HOME"));
        assertThat(attempt(granted, "env:PATH")).isEqualTo("ok null");
        assertThat(attempt(granted, "read:" + readable.resolve("data.txt"))).isEqualTo("ok granted data");
        assertThat(attempt(granted, "write:" + readable.resolve("data.txt")))
                .startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(granted, "write:" + writable.resolve("out.txt"))).isEqualTo("ok written");
        assertThat(Files.readString(writable.resolve("out.txt"))).isEqualTo("written by a worker");
        assertThat(attempt(granted, "read:" + secret)).startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(granted, "tcp:" + tcp.getLocalPort())).isEqualTo("ok connected");
        assertThat(attempt(granted, "udp:" + udp.getLocalPort())).isEqualTo("ok sent");
        assertThat(attempt(granted, "exec:/usr/bin/true")).isEqualTo("ok exit 0");
        assertThat(attempt(granted, "read:/proc/" + HOST + "/environ"))
                .startsWith("denied java.nio.file.AccessDeniedException");
        assertThat(attempt(granted, "ptrace:" + HOST)).isEqualTo("denied errno 1");
    }
}
