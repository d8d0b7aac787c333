package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PidfdTest {
    @Test
    void shouldBeUsableOnThisLinuxWithNativeAccess() {
        assertThat(Pidfd.unavailable()).isEmpty();
    }

    @Test
    @Timeout(120)
    void shouldBecomeReadableWhenItsProcessIsKilled() throws Exception {
        Process child = new ProcessBuilder("sleep", "600").start();
        try (Pidfd pidfd = Pidfd.open(child.pid())) {
            assertThat(pidfd.awaitExit(0)).isEqualTo(Pidfd.Wait.NOT_YET);

            child.destroyForcibly();

            Pidfd.Wait wait;
            do {
                wait = pidfd.awaitExit(1_000);
            } while (wait == Pidfd.Wait.NOT_YET);
            assertThat(wait).isEqualTo(Pidfd.Wait.EXITED);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(pidfd.awaitExit(0)).as("still readable once reaped").isEqualTo(Pidfd.Wait.EXITED);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    @Timeout(60)
    void shouldFailWithEsrchForAPidNoProcessHas() throws Exception {
        Process done = new ProcessBuilder("true").start();
        assertThat(done.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(done.toHandle().isAlive()).isFalse();

        assertThatThrownBy(() -> Pidfd.open(done.pid()).close())
                .isInstanceOfSatisfying(NativeCallException.class, e -> assertThat(e.errno()).isEqualTo(Pidfd.ESRCH))
                .hasMessageContaining("pidfd_open(pid=" + done.pid());
    }

    @Test
    void shouldReportBrokenAndNotCloseAgainWhenItsFdWasClosedBehindItsBack() {
        Pidfd pidfd = Pidfd.open(ProcessHandle.current().pid());
        LinuxLibc.close(pidfd.fd());

        assertThat(pidfd.awaitExit(0)).isEqualTo(Pidfd.Wait.BROKEN);

        int reused = LinuxLibc.memfd_create("pidfd-test", LinuxLibc.MFD_CLOEXEC); // likely takes the number
        try {
            pidfd.close();
            assertThat(LinuxLibc.fcntl(reused, LinuxLibc.F_GETFD, 0)).as("the other fd is still open").isNotNegative();
        } finally {
            LinuxLibc.close(reused);
        }
    }

    @Test
    @Timeout(120)
    void shouldEndAWaitOfTenMinutesWhenAnotherThreadWakesIt() throws Exception {
        CompletableFuture<Pidfd> opened = new CompletableFuture<>();
        CompletableFuture<List<Pidfd.Wait>> waited = new CompletableFuture<>();
        Thread owner = Thread.ofPlatform().start(() -> { // the thread that opens a pidfd owns its waits
            try (Pidfd own = Pidfd.open(ProcessHandle.current().pid())) {
                opened.complete(own);
                Pidfd.Wait first = own.awaitExit(600_000);
                waited.complete(List.of(first, own.awaitExit(600_000)));
            } catch (RuntimeException | Error e) {
                opened.completeExceptionally(e);
                waited.completeExceptionally(e);
            }
        });

        opened.get(60, TimeUnit.SECONDS).wake(); // before or during the wait: either way it ends now

        assertThat(waited.get(60, TimeUnit.SECONDS)).as("woken, and a woken pidfd stays woken")
                .containsExactly(Pidfd.Wait.WOKEN, Pidfd.Wait.WOKEN);
        owner.join();
    }

    @Test
    void shouldIgnoreAWakeOnceClosed() {
        Pidfd own = Pidfd.open(ProcessHandle.current().pid());
        own.close();

        own.wake();
    }

    @Test
    void shouldRejectBadArguments() {
        assertThatThrownBy(() -> Pidfd.open(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pid=0");
        assertThatThrownBy(() -> Pidfd.open(1L << 40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pid=" + (1L << 40));
        try (Pidfd own = Pidfd.open(ProcessHandle.current().pid())) {
            assertThatThrownBy(() -> own.awaitExit(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeoutMillis=-1");
            assertThat(own.awaitExit(0)).isEqualTo(Pidfd.Wait.NOT_YET);
        }
    }
}
