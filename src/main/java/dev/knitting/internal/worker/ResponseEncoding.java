package dev.knitting.internal.worker;

import dev.knitting.KnittingException;
import dev.knitting.PayloadException;
import dev.knitting.internal.codec.PayloadEncoder;

/**
 * Encodes what a call answers, the same way on a worker and on the inline lane: a result that cannot
 * be encoded turns into a FAILURE carrying its {@link PayloadException}, and exceptions may exceed a
 * tiny payload limit so an error always reaches the caller.
 */
public final class ResponseEncoding {
    /** Smallest limit for encoding exceptions, so a tiny maxPayloadBytes never swallows an error. */
    public static final long FAILURE_PAYLOAD_FLOOR = 1 << 20;

    private ResponseEncoding() {
    }

    /**
     * Encodes {@code value} into {@code encoder}.
     *
     * @param status {@link ResponseStatus#VALUE} or {@link ResponseStatus#FAILURE}
     * @return the status that describes what was encoded
     */
    public static int encode(PayloadEncoder encoder, int status, Object value, long maxPayloadBytes) {
        long failureLimit = Math.max(maxPayloadBytes, FAILURE_PAYLOAD_FLOOR);
        try {
            encoder.encode(value, status == ResponseStatus.VALUE ? maxPayloadBytes : failureLimit);
            return status;
        } catch (PayloadException e) {
            KnittingException failure = new PayloadException("the "
                    + (status == ResponseStatus.VALUE ? "result" : "exception") + " of the task could not be sent: "
                    + e.getMessage());
            try {
                encoder.encode(failure, failureLimit);
            } catch (PayloadException again) {
                failure.setStackTrace(new StackTraceElement[0]);
                encoder.encode(failure, failureLimit);
            }
            return ResponseStatus.FAILURE;
        }
    }
}
