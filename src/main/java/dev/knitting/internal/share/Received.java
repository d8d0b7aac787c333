package dev.knitting.internal.share;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.util.ArrayList;
import java.util.List;

/**
 * The zero-copy objects one decode produced, for the receiver to end their lifetime: a worker
 * closes the shared buffers of a call's argument when the call settles (a process worker thereby
 * unmaps them), and a host that drops an answer nobody waits for any more closes and releases
 * everything in it.
 */
public final class Received {
    /** Each list is made at its first element: most decodes carry one kind or none. */
    private List<ProcessSharedBuffer> buffers = List.of();
    private List<BufferReference> references = List.of();

    public void buffer(ProcessSharedBuffer buffer) {
        if (buffers.isEmpty()) {
            buffers = new ArrayList<>(2);
        }
        buffers.add(buffer);
    }

    public void reference(BufferReference reference) {
        if (references.isEmpty()) {
            references = new ArrayList<>(2);
        }
        references.add(reference);
    }

    /** Closes the shared-buffer handles (the call that carried them is over). */
    public void closeBuffers() {
        for (ProcessSharedBuffer b : buffers) {
            b.close();
        }
        buffers = List.of();
    }

    /** Closes and releases everything: the decoded value is thrown away. */
    public void discard() {
        closeBuffers();
        for (BufferReference r : references) {
            r.release();
        }
        references = List.of();
    }
}
