package dev.knitting.internal.os;

import dev.knitting.KnittingException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Shared memory where no binding exists yet (or native access is off): every call says why. */
record UnsupportedSharedMemory(String reason) implements SharedMemoryBackend {

    private KnittingException unsupported() {
        return new KnittingException("shared memory between processes is not available: " + reason);
    }

    @Override
    public MappedRegion createAnonymous(String debugName, long size) {
        throw unsupported();
    }

    @Override
    public MappedRegion createNamed(String name, long size) {
        throw unsupported();
    }

    @Override
    public MappedRegion openNamed(String name) {
        throw unsupported();
    }

    @Override
    public MappedRegion openFd(int fd) {
        throw unsupported();
    }

    @Override
    public MappedRegion mapFd(int fd, long size) {
        throw unsupported();
    }

    @Override
    public MappedRegion openPath(Path path) {
        throw unsupported();
    }

    @Override
    public MappedRegion openChecked(Path path, String name, long size, MemorySegment header, String memfdName) {
        throw unsupported();
    }

    @Override
    public MappedRegion openNamedAndForget(String name) {
        throw unsupported();
    }

    @Override
    public MappedRegion createNamedWithoutFd(String name, long size) {
        throw unsupported();
    }

    @Override
    public boolean unlink(String name) {
        throw unsupported();
    }
}
