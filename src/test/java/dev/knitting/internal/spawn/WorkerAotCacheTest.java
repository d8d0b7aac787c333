package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class WorkerAotCacheTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    static Path jars;
    /** Knitting's main classes as one jar: a cache needs a class path of jars only. */
    private static Path knittingJar;

    @BeforeAll
    static void packKnittingIntoAJar() throws IOException {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        knittingJar = jars.resolve("knitting.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(knittingJar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
    }

    /** The command of a worker of a class-path host running from {@code classPath}. */
    private static WorkerCommand command(String classPath, String... jvmArgs) {
        return new WorkerCommand("dev.knitting.internal.worker.ProcessWorkerMain")
                .withHost(new HostLaunch(false, "", classPath, "", List.of())).withJavaLauncher(JAVA)
                .withJvmArgs(List.of(jvmArgs));
    }

    @Test
    void shouldHaveACacheUnderTheXdgCacheFolderKeyedByTheWholeCommandLine(@TempDir Path home) {
        WorkerAotCache a = WorkerAotCache.of(command(knittingJar.toString(), "-Da=1"), "auto", home.toString(), "/x")
                .orElseThrow();
        WorkerAotCache same = WorkerAotCache.of(command(knittingJar.toString(), "-Da=1"), "auto", home.toString(), "/x")
                .orElseThrow();
        WorkerAotCache other = WorkerAotCache.of(command(knittingJar.toString(), "-Da=2"), "auto", home.toString(), "/x")
                .orElseThrow();

        assertThat(a.file()).hasParentRaw(home.resolve("knitting").resolve("aot")).isEqualTo(same.file());
        assertThat(other.file()).isNotEqualTo(a.file());
        assertThat(a.jvmArgs()).as("no cache file yet: no option").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString()), "auto", null, "/home/u").orElseThrow().file())
                .hasParentRaw(Path.of("/home/u/.cache/knitting/aot"));
    }

    @Test
    void shouldKeyACacheBy24HexDigitsThatChangeWithAJarsModificationTime() throws IOException {
        Path jar = jars.resolve("touched.jar");
        Files.copy(knittingJar, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        WorkerCommand command = command(jar.toString(), "-Da=1");
        String before = WorkerAotCache.key(command, List.of(jar));

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(jar).toMillis() - 60_000));

        assertThat(before).matches("[0-9a-f]{24}");
        assertThat(WorkerAotCache.key(command, List.of(jar))).as("a rebuilt jar gets a new key")
                .matches("[0-9a-f]{24}").isNotEqualTo(before);
        assertThat(WorkerAotCache.key(command(jar.toString(), "-Da=2"), List.of(jar)))
                .isNotEqualTo(WorkerAotCache.key(command, List.of(jar)));
    }

    @Test
    void shouldHaveNoCacheWhereTheJdkCannotUseOneOrTheUserSaysNo(@TempDir Path folder) {
        String dir = Path.of("target", "classes").toAbsolutePath().toString();
        String f = folder.toString();

        assertThat(WorkerAotCache.of(command(dir), f, null, "")).as("a directory on the class path").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar + ":" + dir), f, null, "")).as("jar and directory").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString()), "off", null, "")).as("off").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString(), "-XX:AOTCache=/mine.aot"), f, null, ""))
                .as("the user's own cache").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString(), "-Xshare:off"), f, null, "")).isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString()).withCommandPrefix(List.of("taskset", "-c", "0")),
                f, null, "")).as("a command prefix").isEmpty();
        assertThat(WorkerAotCache.of(command(knittingJar.toString()), f, null, "")).isPresent();
    }

    @Test
    @Timeout(600)
    void shouldTrainOneCacheOnceForConcurrentStartsAndLeaveNothingElseBehind(@TempDir Path folder) throws Exception {
        WorkerCommand command = command(knittingJar.toString(), "-Dknitting.test=train");
        WorkerAotCache first = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();
        WorkerAotCache second = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();
        List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

        boolean firstTrains = first.trainInBackground(notes::add);
        boolean secondTrains = second.trainInBackground(notes::add);

        assertThat(firstTrains).isTrue();
        assertThat(secondTrains).as("the same command line trains once").isFalse();
        awaitFile(first.file());
        assertThat(first.jvmArgs()).contains("-XX:AOTCache=" + first.file(), "-XX:+VerifySharedSpaces");
        awaitOnly(folder, first.file());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (notes.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50); // the training's note follows the file's rename
        }
        assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("AOT cache for workers made"));
    }

    @Test
    @Timeout(600)
    void shouldMarkAFailedTrainingSoThatHostsDoNotTrainAgainAtOnce(@TempDir Path folder) throws Exception {
        WorkerCommand command = command(knittingJar.toString(), "-Dknitting.test=fails",
                "-XX:MaxHeapSize=1k"); // the training JVM cannot start
        WorkerAotCache cache = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();

        assertThat(cache.trainInBackground(note -> { })).isTrue();

        awaitFile(cache.failedMarker());
        assertThat(cache.failedRecently()).isTrue();
        assertThat(WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow().trainInBackground(n -> { }))
                .isFalse();
        assertThat(cache.jvmArgs()).as("no cache").isEmpty();
        awaitOnly(folder, cache.failedMarker());
    }

    @Test
    void shouldLeaveTheTrainingToAnotherProcessHoldingAFreshLock(@TempDir Path folder) throws Exception {
        WorkerCommand command = command(knittingJar.toString(), "-Dknitting.test=locked");
        WorkerAotCache cache = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();
        Path lock = Path.of(cache.file().toString().replace(".aot", ".lock"));
        Files.createFile(lock);

        assertThat(cache.trainInBackground(note -> { })).isFalse();
        assertThat(lock).exists();
    }

    @Test
    @Timeout(600)
    void shouldTakeOverAStaleLockAndTrain(@TempDir Path folder) throws Exception {
        WorkerCommand command = command(knittingJar.toString(), "-Dknitting.test=stale");
        WorkerAotCache cache = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();
        Path lock = Path.of(cache.file().toString().replace(".aot", ".lock"));
        Files.createFile(lock);
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(WorkerAotCache.LOCK_STALE).minusSeconds(60)));

        assertThat(cache.trainInBackground(note -> { })).isTrue();
        awaitFile(cache.file());
        awaitOnly(folder, cache.file());
    }

    @Test
    @Timeout(600)
    void shouldLetAJvmWithACorruptCacheFileRunAsIfThereWereNone(@TempDir Path folder) throws Exception {
        WorkerCommand command = command(knittingJar.toString(), "-Dknitting.test=corrupt");
        WorkerAotCache cache = WorkerAotCache.of(command, folder.toString(), null, "").orElseThrow();
        byte[] garbage = new byte[1 << 20];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(cache.file(), garbage);
        List<String> jvmArgs = new ArrayList<>(command.jvmArgs());
        jvmArgs.addAll(cache.jvmArgs());
        // The training main starts a pool and calls it: a worker-like JVM that must run as usual.
        WorkerCommand withCache = new WorkerCommand(WorkerAotCache.TRAINING_ENTRY, command.host(), JAVA, List.of(),
                jvmArgs, List.of());
        Path out = folder.resolve("out.txt");

        Process jvm = new ProcessBuilder(withCache.argv()).redirectErrorStream(true).redirectOutput(out.toFile())
                .start();

        assertThat(jvm.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).as("the JVM's complaints about the file are silenced").isEmpty();
        assertThat(cache.jvmArgs()).contains("-XX:AOTCache=" + cache.file());
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(500);
        while (!Files.isRegularFile(file)) {
            assertThat(System.nanoTime() - deadline).as("no cache file " + file + " yet").isNegative();
            Thread.sleep(100);
        }
    }

    /** Waits until the training's lock and temporary files are gone, then checks that only {@code file} is left. */
    private static void awaitOnly(Path folder, Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<Path> left;
        do {
            try (Stream<Path> files = Files.list(folder)) {
                left = files.toList();
            }
            if (left.equals(List.of(file))) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() - deadline < 0);
        assertThat(left).containsExactly(file);
    }
}
