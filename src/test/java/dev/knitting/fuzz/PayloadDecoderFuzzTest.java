package dev.knitting.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.share.Received;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Fuzz target: the host decoding a process worker's answer ({@link PayloadDecoder} over arbitrary
 * bytes), set up as the host sets it up for a PROCESS pool: {@link Peer#otherProcess()} and a
 * {@link TypePolicy} of the pool's packages, here {@code dev.knitting.fuzz} ({@link FuzzTypes}) and
 * {@code dev.knitting.testtasks}.
 *
 * <p>The contract checked for every input of at most {@value #MAX_INPUT_BYTES} bytes: the decode
 * ends with a value, a {@link ProtocolException} or a {@link PayloadException}, and nothing else;
 * a {@code ProtocolException} that merely wraps an {@link IndexOutOfBoundsException} (or another
 * sign of a missing check) is a finding too, since the decoder's catch-all only hides the missing
 * bound. It allocates at most {@link #allocationBudget} bytes, decoding the same bytes again with the
 * same (now warm) decoder ends the same way, and shared buffers a decode produced are let go.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the committed seed corpus in
 * {@code src/test/resources/dev/knitting/fuzz/PayloadDecoderFuzzTestInputs/decodesAnyWorkerAnswer/}
 * as ordinary tests; {@code scripts/fuzz} fuzzes it.
 */
class PayloadDecoderFuzzTest {
    /** Inputs past this are skipped: the decoder's cost grows with the input, findings do not need more. */
    static final int MAX_INPUT_BYTES = 64 << 10;
    /** The packages a test pool of these types would allow. */
    static final Set<String> PACKAGES = Set.of(FuzzTypes.class.getPackageName(), "dev.knitting.testtasks");

    private static final TypePolicy POLICY = TypePolicy.of(PayloadDecoderFuzzTest.class.getClassLoader(), PACKAGES);

    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"dev.knitting.fuzz.FuzzTypes$Node", "dev.knitting.fuzz.FuzzTypes$Span",
            "dev.knitting.fuzz.FuzzTypes$Mixed", "dev.knitting.fuzz.FuzzTypes$Bag", "dev.knitting.fuzz.FuzzTypes$Empty",
            "dev.knitting.fuzz.FuzzTypes$Shade", "LIGHT", "DARK", "dev.knitting.testtasks.Person",
            "dev.knitting.testtasks.Point", "dev.knitting.testtasks.Color", "dev.knitting.testtasks.Wrapper",
            "java.time.DayOfWeek", "java.util.concurrent.TimeUnit", "java.lang.IllegalStateException",
            "dev.knitting.ProtocolException", "Europe/Paris", "UTC"})
    void decodesAnyWorkerAnswer(byte[] input) {
        if (input.length > MAX_INPUT_BYTES) {
            return;
        }
        AllocationMeter.withinBudget(allocationBudget(input.length), "decoding " + input.length + " bytes twice",
                () -> decodeTwice(input));
    }

    private static void decodeTwice(byte[] input) {
        PayloadDecoder decoder = new PayloadDecoder(POLICY, Peer.otherProcess());
        MemorySegment payload = MemorySegment.ofArray(input);
        String cold = outcome(decoder, payload);
        String warm = outcome(decoder, payload);
        if (!cold.equals(warm)) {
            throw new AssertionError("decoding the same " + input.length + " bytes again with the same decoder ended"
                    + " differently: first " + cold + ", then " + warm);
        }
    }

    /** @return how one decode ended: the value's class, or the exception's class */
    private static String outcome(PayloadDecoder decoder, MemorySegment payload) {
        String outcome;
        try {
            Object value = decoder.decode(payload);
            outcome = value == null ? "null" : value.getClass().getName();
        } catch (PayloadException e) {
            outcome = e.getClass().getName();
        } catch (ProtocolException e) {
            rejectHiddenBug(e);
            outcome = e.getClass().getName();
        } finally {
            Received received = decoder.takeReceived();
            if (received != null) {
                received.discard();
            }
        }
        return outcome;
    }

    /**
     * What two decodes of {@code length} bytes may allocate: a constant for presized containers along
     * the nesting path (each presizes at most {@code 2^16} slots) plus a generous factor for the values
     * and the stack traces of rebuilt throwables.
     */
    static long allocationBudget(int length) {
        return 2 * ((32L << 20) + 1024L * length);
    }

    /** A ProtocolException caused by one of these means a read or allocation was not checked first. */
    private static void rejectHiddenBug(ProtocolException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IndexOutOfBoundsException || cause instanceof NegativeArraySizeException
                || cause instanceof ClassCastException || cause instanceof NullPointerException
                || cause instanceof ArithmeticException || cause instanceof ArrayStoreException
                || cause instanceof IllegalStateException) {
            throw new AssertionError("the decoder's catch-all hid " + cause, e);
        }
    }
}
