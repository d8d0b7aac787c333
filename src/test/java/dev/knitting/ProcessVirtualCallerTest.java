package dev.knitting;

import static dev.knitting.ContractSupport.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.process.fixtures.CrashTasks.Crash;
import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.SlowTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual-caller suite with process workers, plus what only a process worker can do: die under
 * a parked virtual caller.
 */
final class ProcessVirtualCallerTest extends VirtualCallerContractTest {
    @TempDir
    Path dir;

    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected List<Class<?>> taskClasses() {
        return List.of(EchoTasks.class, SlowTasks.class, CrashTasks.class);
    }

    @Test
    void aVirtualCallerParkedOnAWorkerThatDiesGetsTheCrashError() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        Path gate = dir.resolve("gate");
        String line = "halting under a virtual caller " + System.nanoTime();
        TaskCall<Integer> crashing = pool.call(CrashTasks.HALT, new Crash(9, line, gate.toString()));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> outcome.complete(joinFailure(crashing)));

        awaitCondition("the virtual caller parked", () -> allParked(List.of(caller)), () -> states(List.of(caller)));
        Files.createFile(gate);

        Throwable failure = outcome.get(60, TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).exitCode()).hasValue(9);
        assertThat(failure.getMessage()).contains(line);
        assertThat(pool.call(EchoTasks.SQUARE, 4).join()).isEqualTo(16);
    }
}
