package dev.knitting.internal.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.os.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The descriptor channel between a host and a process worker, both ends in this process: what is
 * sent arrives under its handoff id whatever the order, what was never sent fails at once, what a
 * peer sends wrongly is refused and closed, waiting descriptors are bounded, and a sender never
 * waits past its deadline on a peer that does not receive.
 */
@Timeout(value = 60, threadMode = SEPARATE_THREAD)
class DescriptorChannelTest {
    private DescriptorChannel host;
    private DescriptorChannel worker;
    private int hostSocket;
    private final List<SharedBufferMemory> buffers = new ArrayList<>();

    @BeforeAll
    static void whereDescriptorsCanBePassed() {
        assumeThat(DescriptorChannel.unavailableReason()).isEmpty();
    }

    @BeforeEach
    void connect() {
        int[] pair = UnixSockets.socketPair();
        hostSocket = pair[0];
        host = new DescriptorChannel(pair[0], "worker 0");
        worker = new DescriptorChannel(pair[1], "the host");
    }

    @AfterEach
    void close() {
        host.close();
        worker.close();
        buffers.forEach(SharedBufferMemory::release);
    }

    private SharedBufferMemory buffer(long value) {
        SharedBufferMemory memory = SharedBufferMemory.createAnonymous(4096);
        memory.data().set(ValueLayout.JAVA_LONG, 0, value);
        buffers.add(memory);
        return memory;
    }

    @Test
    void eachDescriptorIsTakenUnderItsHandoffWhateverTheOrderTheyArrivedIn() {
        SharedBufferMemory first = buffer(1);
        SharedBufferMemory second = buffer(2);
        int a = DescriptorChannel.nextHandoff();
        int b = DescriptorChannel.nextHandoff();
        host.send(a, first.fd());
        host.send(b, second.fd());

        int takenB = worker.take(b);
        assertThat(worker.waiting()).isEqualTo(1);
        int takenA = worker.take(a);

        assertThat(worker.waiting()).isZero();
        assertThat(link(takenA)).isEqualTo(link(first.fd())).isNotEqualTo(link(second.fd()));
        assertThat(link(takenB)).isEqualTo(link(second.fd()));
        UnixSockets.close(takenA);
        UnixSockets.close(takenB);
    }

    @Test
    void aHandoffNeverSentFailsAtOnceAndLeavesNothingOpen() {
        int before = openDescriptors();

        assertThatThrownBy(() -> worker.take(DescriptorChannel.nextHandoff())).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no descriptor was handed over");
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void aMessageWithoutADescriptorOrWithSeveralIsRefusedAndWhatCameWithItIsClosed() {
        SharedBufferMemory memory = buffer(3);
        int before = openDescriptors();
        UnixSockets.send(hostSocket, 5, new int[0]);
        assertThatThrownBy(() -> worker.take(5)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no descriptor");

        UnixSockets.send(hostSocket, 6, new int[] {memory.fd(), memory.fd()});
        assertThatThrownBy(() -> worker.take(6)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("more than one descriptor");

        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void descriptorsWaitingForTheirRequestsAreBoundedTheOldestClosedFirst() {
        SharedBufferMemory memory = buffer(4);
        int before = openDescriptors();
        List<Integer> handoffs = new ArrayList<>();
        for (int i = 0; i < DescriptorChannel.MAX_WAITING + 10; i++) {
            int handoff = DescriptorChannel.nextHandoff();
            handoffs.add(handoff);
            host.send(handoff, memory.fd());
        }
        int last = worker.take(handoffs.getLast());
        UnixSockets.close(last);

        assertThat(worker.waiting()).isEqualTo(DescriptorChannel.MAX_WAITING);
        assertThat(openDescriptors()).isEqualTo(before + DescriptorChannel.MAX_WAITING);
        assertThatThrownBy(() -> worker.take(handoffs.getFirst())).isInstanceOf(ProtocolException.class);
        int kept = worker.take(handoffs.get(handoffs.size() - 2));
        UnixSockets.close(kept);

        worker.close();
        assertThat(openDescriptors()).isEqualTo(before - 1); // the worker's socket went too
    }

    @Test
    void aPeerThatNeverReceivesFailsTheSendAfterTheDeadlineInsteadOfHangingIt() {
        SharedBufferMemory memory = buffer(5);
        long start = System.nanoTime();
        int sent = 0;
        KnittingException failure = null;
        while (failure == null && sent < 1_000_000) {
            try {
                host.send(DescriptorChannel.nextHandoff(), memory.fd());
                sent++;
            } catch (KnittingException e) {
                failure = e;
            }
        }

        assertThat(failure).isNotNull().hasMessageContaining("stayed full");
        assertThat(sent).isPositive();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(DescriptorChannel.SEND_TIMEOUT_NANOS);
    }

    @Test
    void aSendToAWorkerWhoseEndIsClosedFailsAtOnce() {
        SharedBufferMemory memory = buffer(6);
        worker.close();

        assertThatThrownBy(() -> host.send(DescriptorChannel.nextHandoff(), memory.fd()))
                .isInstanceOf(KnittingException.class).hasMessageContaining("closed");
    }

    @Test
    void aHandedOverDescriptorOfSomethingElseThanABufferIsRefusedMappingNothing() throws IOException {
        int[] other = UnixSockets.socketPair(); // not shared memory at all
        int handoff = DescriptorChannel.nextHandoff();
        host.send(handoff, other[0]);
        int received = worker.take(handoff);
        int before = openDescriptors();
        long mappings = mappings();

        assertThatThrownBy(() -> SharedBufferMemory.resolveHandedOver(received, Token.random(), 4096, null))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not a ProcessSharedBuffer");
        assertThat(openDescriptors()).isEqualTo(before - 1); // the received descriptor is closed
        assertThat(mappings()).isEqualTo(mappings);
        UnixSockets.close(other[0]);
        UnixSockets.close(other[1]);
    }

    @Test
    void aHandedOverBufferWithAnotherTokenIsRefusedMappingNothing() throws IOException {
        SharedBufferMemory memory = buffer(7);
        int handoff = DescriptorChannel.nextHandoff();
        host.send(handoff, memory.fd());
        int received = worker.take(handoff);
        int before = openDescriptors();
        long mappings = mappings();

        assertThatThrownBy(() -> SharedBufferMemory.resolveHandedOver(received, Token.random(), 4096, null))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("does not name a live buffer");
        assertThat(openDescriptors()).isEqualTo(before - 1);
        assertThat(mappings()).isEqualTo(mappings);
    }

    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString()
                    + Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return this process's mappings of shared buffers */
    private static long mappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains(SharedBufferMemory.DEBUG_NAME)).count();
        }
    }
}
