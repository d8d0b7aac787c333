package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HostWatchTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldSeeALiveHostAsAlive() {
        AtomicInteger calls = new AtomicInteger();
        try (HostWatch watch = HostWatch.start(ProcessHandle.current().pid(), HostWatch.currentStartMillis(),
                reason -> calls.incrementAndGet(), Duration.ofMillis(20))) {
            assertThat(watch.hostAlive()).isTrue();
            assertThat(watch.hostIsParent()).isFalse();
            assertThat(watch.goneReason()).isEmpty();
        }
        assertThat(calls).hasValue(0);
    }

    @Test
    @Timeout(60)
    void shouldWatchALiveHostThroughItsPidfdOnLinux() {
        List<String> notes = new CopyOnWriteArrayList<>();
        try (HostWatch watch = HostWatch.start(ProcessHandle.current().pid(), HostWatch.currentStartMillis(),
                reason -> { }, Duration.ofMillis(20), notes::add)) {
            SpawnFixtures.await("the watch to choose its mode", () -> watch.mode() != HostWatch.Mode.STARTING);
            assertThat(watch.mode()).as("notes: %s", notes).isEqualTo(HostWatch.Mode.PIDFD);
            assertThat(notes).isEmpty();
            assertThat(watch.hostAlive()).isTrue();
        }
    }

    @Test
    @Timeout(60)
    void shouldNotTakeAProcessWithTheHostsPidButAnotherStartForTheHost() throws Exception {
        CountDownLatch gone = new CountDownLatch(1);
        long anHourEarlier = HostWatch.currentStartMillis() - TimeUnit.HOURS.toMillis(1);
        try (HostWatch watch = HostWatch.start(ProcessHandle.current().pid(), anHourEarlier, reason -> gone.countDown(),
                Duration.ofMillis(20))) {
            assertThat(gone.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.hostAlive()).isFalse();
            assertThat(watch.goneReason()).hasValueSatisfying(r -> assertThat(r).contains("reused"));
        }
    }

    @Test
    @Timeout(120)
    void shouldNoticeAKilledHost() throws Exception {
        Process host = new ProcessBuilder(SpawnFixtures.javaCommand(SleepyChild.class))
                .redirectError(dir.resolve("host.err").toFile()).start();
        try {
            assertThat(host.inputReader().readLine()).startsWith("ready");
            long start = host.info().startInstant().orElseThrow().toEpochMilli();
            CountDownLatch gone = new CountDownLatch(1);
            try (HostWatch watch = HostWatch.start(host.pid(), start, reason -> gone.countDown(),
                    Duration.ofMillis(20))) {
                assertThat(watch.hostAlive()).isTrue();

                host.destroyForcibly();

                assertThat(gone.await(60, TimeUnit.SECONDS)).isTrue();
                // the pidfd's wake-up; or, when the kill beat the watch thread's pidfd_open, ESRCH or the
                // zombie a check already sees: whichever, it names the host (the pidfd mode has its own test)
                assertThat(watch.goneReason()).hasValueSatisfying(reason -> assertThat(reason)
                        .contains(Long.toString(host.pid())).containsAnyOf("pidfd became readable", "zombie", "ESRCH"));
            }
        } finally {
            host.destroyForcibly();
            host.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(30)
    void shouldRejectBadArguments() {
        assertThatThrownBy(() -> HostWatch.start(0, -1, reason -> { }, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostPid=0");
        assertThatThrownBy(() -> HostWatch.start(1, -1, reason -> { }, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
    }

    /**
     * Test JVM -> host JVM ({@link WatchedHostChild}) -> worker JVM ({@link WatchingChild}) started
     * through {@link WorkerLauncher}; the host is killed with SIGKILL and the worker must notice and
     * halt by itself.
     */
    @Test
    @Timeout(240)
    void shouldMakeAnOrphanedWorkerExitByItselfWhenItsHostIsKilled() throws Exception {
        Path workerOut = dir.resolve("worker.out");
        Process host = new ProcessBuilder(SpawnFixtures.javaCommand(WatchedHostChild.class, workerOut.toString()))
                .redirectError(dir.resolve("host.err").toFile()).start();
        Optional<ProcessHandle> worker = Optional.empty();
        try {
            String line = host.inputReader().readLine();
            assertThat(line).as("host stderr: %s", SpawnFixtures.read(dir.resolve("host.err")))
                    .startsWith("grandchild ");
            long workerPid = Long.parseLong(line.substring("grandchild ".length()));
            worker = ProcessHandle.of(workerPid);
            SpawnFixtures.await("the worker to watch", () -> SpawnFixtures.read(workerOut).contains("watching"));
            assertThat(SpawnFixtures.read(workerOut)).contains("watching " + workerPid + " parent=true mode=PIDFD");

            host.destroyForcibly();
            assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();

            SpawnFixtures.await("the worker to notice", () -> SpawnFixtures.read(workerOut).contains("host gone"));
            assertThat(SpawnFixtures.read(workerOut))
                    .contains("host gone: the host " + host.pid() + " exited (its pidfd became readable)");
            SpawnFixtures.await("the worker to exit", () -> ProcessHandle.of(workerPid).map(h -> !h.isAlive())
                    .orElse(true));
        } finally {
            host.destroyForcibly();
            host.waitFor(60, TimeUnit.SECONDS);
            worker.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
