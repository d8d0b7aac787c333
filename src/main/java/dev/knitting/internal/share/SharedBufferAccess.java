package dev.knitting.internal.share;

import dev.knitting.shm.ProcessSharedBuffer;

/**
 * The internals' view of {@link ProcessSharedBuffer} (the JDK's "shared secrets" pattern): the API
 * class registers an implementation from its static initializer, so the exported class carries no
 * internal types in its public signatures.
 */
public interface SharedBufferAccess {
    /** @return the mapping behind {@code buffer} */
    SharedBufferMemory memory(ProcessSharedBuffer buffer);

    /** @return where {@code buffer} starts in its mapping's data */
    long offset(ProcessSharedBuffer buffer);

    /** @return whether {@code buffer} was closed through this handle */
    boolean isClosed(ProcessSharedBuffer buffer);

    /**
     * @param owning whether the handle holds a reference of {@code memory} that its close releases
     * @return a handle over {@code [offset, offset + length)} of the mapping's data
     */
    ProcessSharedBuffer handle(SharedBufferMemory memory, long offset, long length, boolean owning);

    /** @return the registered access, initialising the API class if needed */
    static SharedBufferAccess get() {
        SharedBufferAccess access = Holder.access;
        if (access == null) {
            try {
                Class.forName(ProcessSharedBuffer.class.getName(), true, ProcessSharedBuffer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = Holder.access;
        }
        return access;
    }

    /** Called once by the API class. */
    static void register(SharedBufferAccess access) {
        Holder.access = access;
    }

    /** Holds the registered instance. */
    final class Holder {
        static volatile SharedBufferAccess access;

        private Holder() {
        }
    }
}
