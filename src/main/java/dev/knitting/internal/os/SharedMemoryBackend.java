package dev.knitting.internal.os;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The OS side of {@link SharedMemory}, chosen once by {@link Platforms}. Arguments arrive validated.
 * macOS ({@code shm_open}) and Windows ({@code CreateFileMappingW}) join the permits list later.
 */
sealed interface SharedMemoryBackend permits LinuxSharedMemory, UnsupportedSharedMemory {

    MappedRegion createAnonymous(String debugName, long size);

    MappedRegion createNamed(String name, long size);

    MappedRegion openNamed(String name);

    MappedRegion openFd(int fd);

    MappedRegion mapFd(int fd, long size);

    MappedRegion openPath(Path path);

    MappedRegion openChecked(Path path, String name, long size, MemorySegment header, String memfdName);

    MappedRegion openNamedAndForget(String name);

    MappedRegion createNamedWithoutFd(String name, long size);

    boolean unlink(String name);
}
