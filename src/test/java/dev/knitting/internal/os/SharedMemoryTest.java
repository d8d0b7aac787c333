package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.knitting.KnittingException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SharedMemoryTest {
    private static final Path DEV_SHM = Path.of("/dev/shm");

    private final String name = "knitting-test-" + UUID.randomUUID();

    @BeforeAll
    static void onLinuxWithNativeAccess() {
        assumeThat(Platforms.isLinux()).as("Linux").isTrue();
        assumeThat(Platforms.nativeAccessEnabled()).as("native access").isTrue();
    }

    @AfterEach
    void removeTheName() {
        SharedMemory.unlink(name);
    }

    @Test
    void anonymousMemoryIsSeenThroughASecondMappingOfTheSameFd() {
        try (MappedRegion first = SharedMemory.createAnonymous("knitting-test", 3 * 4096 + 5);
                MappedRegion second = SharedMemory.mapFd(first.fd(), first.byteSize())) {
            first.segment().set(JAVA_LONG, 8, 0x1122334455667788L);
            second.segment().set(JAVA_BYTE, first.byteSize() - 1, (byte) 42);

            assertThat(second.segment().address()).isNotEqualTo(first.segment().address());
            assertThat(second.segment().get(JAVA_LONG, 8)).isEqualTo(0x1122334455667788L);
            assertThat(first.segment().get(JAVA_BYTE, first.byteSize() - 1)).isEqualTo((byte) 42);
            assertThat(first.name()).isEmpty();
            assertThat(second.ownsFd()).isFalse();
        }
    }

    @Test
    void aCheckedOpenMapsOnlyMemoryWithTheExpectedSizeAndHeader() throws IOException {
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-checked", 8192);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            region.segment().set(JAVA_LONG, 0, 0x1122334455667788L);
            MemorySegment right = arena.allocate(8).fill((byte) 0);
            right.set(JAVA_LONG, 0, 0x1122334455667788L);
            MemorySegment wrong = arena.allocate(8).fill((byte) 1);
            long before = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains("knitting-checked")).count();

            assertThatThrownBy(() -> SharedMemory.openChecked(region.fdPath(), null, 8192, wrong, "knitting-checked"))
                    .isInstanceOf(SharedMemoryMismatchException.class).hasMessageContaining("expected header");
            assertThatThrownBy(() -> SharedMemory.openChecked(region.fdPath(), null, 4096, right, "knitting-checked"))
                    .isInstanceOf(SharedMemoryMismatchException.class).hasMessageContaining("has 8192 bytes, expected 4096");
            assertThat(Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains("knitting-checked")).count()).isEqualTo(before);

            try (MappedRegion again = SharedMemory.openChecked(region.fdPath(), null, 8192, right, "knitting-checked")) {
                again.segment().set(JAVA_INT, 100, 7);
                assertThat(region.segment().get(JAVA_INT, 100)).isEqualTo(7);
            }
        }
    }

    @Test
    void newMemoryIsZeroFilled() {
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-test", 64 * 1024)) {
            assertThat(region.segment().mismatch(MemorySegment.ofArray(new byte[64 * 1024]))).isEqualTo(-1);
        }
    }

    @Test
    void theDescriptorPathReachesTheSameMemory() {
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-test", 4096);
                MappedRegion reopened = SharedMemory.openPath(region.fdPath())) {
            region.segment().set(JAVA_INT, 100, 77);

            assertThat(reopened.byteSize()).isEqualTo(4096);
            assertThat(reopened.segment().get(JAVA_INT, 100)).isEqualTo(77);
            assertThat(reopened.fd()).isNotEqualTo(region.fd());
        }
    }

    @Test
    void anonymousMemoryCannotBeShrunkByAPeer() {
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-test", 8192)) {
            assertThatThrownBy(() -> LinuxLibc.ftruncate(region.fd(), 0))
                    .isInstanceOfSatisfying(NativeCallException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
            assertThat(region.segment().get(JAVA_BYTE, 8191)).isZero();
        }
    }

    @Test
    void closingUnmapsSoAccessThrowsInsteadOfCrashing() {
        MappedRegion region = SharedMemory.createAnonymous("knitting-test", 4096);
        MemorySegment slice = region.segment().asSlice(16, 16);

        region.close();
        region.close();

        assertThat(region.isOpen()).isFalse();
        assertThatThrownBy(() -> slice.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void namedMemoryRoundTripsThroughCreateOpenAndUnlink() {
        try (MappedRegion created = SharedMemory.createNamed(name, 10_000)) {
            assertThat(Files.exists(DEV_SHM.resolve(name))).isTrue();
            created.segment().set(JAVA_LONG, 0, -5L);

            try (MappedRegion opened = SharedMemory.openNamed(name)) {
                assertThat(opened.byteSize()).isEqualTo(10_000);
                assertThat(opened.name()).contains(name);
                assertThat(opened.segment().get(JAVA_LONG, 0)).isEqualTo(-5L);
                opened.segment().set(JAVA_INT, 9_996, 123);
            }

            assertThat(SharedMemory.unlink(name)).isTrue();
            assertThat(Files.exists(DEV_SHM.resolve(name))).isFalse();
            assertThat(SharedMemory.unlink(name)).isFalse();
            assertThat(created.segment().get(JAVA_INT, 9_996)).isEqualTo(123); // the mapping outlives the name
        }
    }

    @Test
    void openingAnUnlinkedNameNamesTheCallAndTheErrno() {
        assertThatThrownBy(() -> SharedMemory.openNamed(name))
                .isInstanceOfSatisfying(NativeCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageContaining("shm_open(name=\"/" + name + "\"")
                .hasMessageContaining("ENOENT (No such file or directory)");
    }

    @Test
    void creatingATakenNameFailsAndLeavesTheOwnerIntact() {
        try (MappedRegion owner = SharedMemory.createNamed(name, 4096)) {
            owner.segment().set(JAVA_INT, 0, 9);

            assertThatThrownBy(() -> SharedMemory.createNamed(name, 8192)).isInstanceOf(KnittingException.class)
                    .hasMessageContaining("already taken").hasMessageContaining(name);
            try (MappedRegion opened = SharedMemory.openNamed(name)) {
                assertThat(opened.byteSize()).isEqualTo(4096);
                assertThat(opened.segment().get(JAVA_INT, 0)).isEqualTo(9);
            }
        }
    }

    @Test
    void memoryBeyondTheTmpfsLimitFailsAtCreationAndLeavesNoName() throws IOException {
        long total = Files.getFileStore(DEV_SHM).getTotalSpace();
        assumeThat(total).as("/dev/shm has a size limit").isPositive();
        // tmpfs refuses a fallocate larger than the whole file system before reserving anything
        long tooLarge = total + (1L << 30);

        assertThatThrownBy(() -> SharedMemory.createNamed(name, tooLarge)).isInstanceOf(KnittingException.class)
                .hasMessageContaining("cannot reserve " + tooLarge + " bytes")
                .hasMessageContaining("fallocate(")
                .hasMessageContaining("ENOSPC");
        assertThat(Files.exists(DEV_SHM.resolve(name))).isFalse();
    }

    @Test
    void mappingMoreThanTheFdHoldsIsRefused() {
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-test", 4096)) {
            assertThatThrownBy(() -> SharedMemory.mapFd(region.fd(), 8192))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size=8192");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/lead", "nul\0byte"})
    void rejectsNamesThatAreNotPlainFileNames(String bad) {
        assertThatThrownBy(() -> SharedMemory.createNamed(bad, 4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name=");
        assertThatThrownBy(() -> SharedMemory.openNamed(bad)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.unlink(bad)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNamesLongerThanAFileName() {
        assertThatThrownBy(() -> SharedMemory.createNamed("x".repeat(256), 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 bytes");
        assertThatThrownBy(() -> SharedMemory.createAnonymous("x".repeat(250), 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("debugName=");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void rejectsSizesThatAreNotPositive(long size) {
        assertThatThrownBy(() -> SharedMemory.createAnonymous("knitting-test", size))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size=" + size);
        assertThatThrownBy(() -> SharedMemory.createNamed(name, size))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size=" + size);
    }

    @Test
    @Timeout(60)
    void aFutexWakeThroughOneMappingReachesASleeperOnAnother() throws InterruptedException {
        assumeThat(Waiter.platform()).isInstanceOf(LinuxFutex.class);
        LinuxFutex futex = (LinuxFutex) Waiter.platform();
        try (MappedRegion first = SharedMemory.createAnonymous("knitting-test", 4096);
                MappedRegion second = SharedMemory.mapFd(first.fd(), 4096)) {
            MemorySegment sleeperWord = first.segment().asSlice(128, 4);
            MemorySegment wakerWord = second.segment().asSlice(128, 4);
            AtomicInteger returns = new AtomicInteger();
            Thread sleeper = Thread.ofPlatform().start(() -> {
                while (sleeperWord.get(JAVA_INT, 0) == 0) {
                    futex.await(sleeperWord, 0, TimeUnit.MINUTES.toNanos(5));
                    returns.incrementAndGet();
                }
            });

            // Two addresses, one page: only the shared (non-private) futex form links them.
            while (futex.wakeCount(wakerWord, 1) == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            wakerWord.set(JAVA_INT, 0, 1);
            futex.wake(wakerWord, Integer.MAX_VALUE);
            sleeper.join();

            assertThat(returns.get()).isGreaterThanOrEqualTo(1);
        }
    }
}
