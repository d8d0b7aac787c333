package dev.knitting.internal.share;

import dev.knitting.unsafe.BufferReference;

/**
 * The internals' view of {@link BufferReference} (see {@link SharedBufferAccess} for the pattern).
 */
public interface BufferReferenceAccess {
    /**
     * Takes the memory away from {@code reference} for a send: closes every segment taken from it
     * and marks it moved.
     *
     * @throws dev.knitting.PayloadException if it was moved or released already, or its segments
     *     are confined to another thread
     */
    NativeBlock detach(BufferReference reference);

    /** Gives the memory back after a send that did not happen. */
    void restore(BufferReference reference);

    /** @return a new reference owning {@code block} */
    BufferReference adopt(NativeBlock block);

    /** @return the registered access, initialising the API class if needed */
    static BufferReferenceAccess get() {
        BufferReferenceAccess access = Holder.access;
        if (access == null) {
            try {
                Class.forName(BufferReference.class.getName(), true, BufferReference.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = Holder.access;
        }
        return access;
    }

    /** Called once by the API class. */
    static void register(BufferReferenceAccess access) {
        Holder.access = access;
    }

    /** Holds the registered instance. */
    final class Holder {
        static volatile BufferReferenceAccess access;

        private Holder() {
        }
    }
}
