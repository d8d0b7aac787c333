package dev.knitting.internal.host;

import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.internal.worker.ResponseStatus;
import java.util.List;

/**
 * One chunk of a {@code callAll}: the elements {@code [offset, offset + size)} of its
 * {@link BatchCall}, sent to one lane as one {@link PendingCall} (so deadlines, abort slots, worker
 * loss and resends treat it as one call) and answered by one response. It reads that answer,
 * which comes from a worker and is checked before anything of it is used: a list of exactly
 * {@code size} results, or {@code [index, throwable]} with the index inside the chunk, or a
 * {@code Throwable} for the whole chunk. Anything else is a {@link ProtocolException}.
 */
final class BatchChunk {
    private final BatchCall batch;
    private final int offset;
    private final int size;

    BatchChunk(BatchCall batch, int offset, int size) {
        this.batch = batch;
        this.offset = offset;
        this.size = size;
    }

    int offset() {
        return offset;
    }

    int size() {
        return size;
    }

    /**
     * @param status the response's status
     * @param value the decoded payload
     * @return why the answer breaks the protocol, or {@code null} when it is well-formed
     */
    ProtocolException violation(int status, Object value) {
        String what = "the answer to a callAll chunk of " + size + " elements";
        switch (status) {
            case ResponseStatus.VALUE -> {
                if (!(value instanceof List<?> results)) {
                    return new ProtocolException(what + " is a " + typeOf(value) + ", not a list of results");
                }
                int count = results.size();
                if (count != size) {
                    return new ProtocolException(what + " holds " + count + " results");
                }
                return null;
            }
            case ResponseStatus.ELEMENT_FAILURE -> {
                if (value instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof Integer index
                        && pair.get(1) instanceof Throwable) {
                    return index >= 0 && index < size ? null
                            : new ProtocolException(what + " names the failed element " + index);
                }
                return new ProtocolException(what + " reports an element failure as a " + typeOf(value)
                        + " instead of [index, exception]");
            }
            case ResponseStatus.FAILURE -> {
                return value instanceof Throwable ? null
                        : new ProtocolException(what + " has status FAILURE but carries a " + typeOf(value));
            }
            default -> {
                return new ProtocolException(what + " has status " + status);
            }
        }
    }

    /**
     * Completes the chunk's future from a well-formed answer ({@link #violation} returned null) and
     * hands its results or failure to the batch.
     *
     * @return whether the batch took the values (if not, what they hold must be discarded)
     */
    boolean complete(TaskCall<Object> future, int status, Object value) {
        switch (status) {
            case ResponseStatus.VALUE -> {
                boolean taken = batch.accept(this, (List<?>) value);
                future.complete(value);
                return taken;
            }
            case ResponseStatus.ELEMENT_FAILURE -> {
                List<?> pair = (List<?>) value;
                future.completeExceptionally(batch.elementFailure(offset + (Integer) pair.get(0),
                        (Throwable) pair.get(1)));
                return false;
            }
            default -> {
                future.completeExceptionally((Throwable) value);
                return false;
            }
        }
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
