package dev.knitting.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.knitting.ProtocolException;
import dev.knitting.internal.spawn.BootData;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzz target: a worker process parsing its boot data ({@link BootData#decode}), the one input it
 * gets before any lane exists.
 *
 * <p>The input is the boot <em>text</em> ({@code key=value} lines, readable in the seed corpus); the
 * target base64url-encodes it as the host would, so the fuzzer spends its time on the parser rather
 * than on base64. An input starting with {@code '!'} is passed on as it is (the rest, as Latin-1
 * characters), to reach the base64 and UTF-8 layers too.
 *
 * <p>The contract for every input: {@code decode} returns boot data or throws
 * {@link ProtocolException}, nothing else; boot data it returns encodes again (within the
 * environment's limit) to a value that decodes to equal boot data.
 */
class BootDataFuzzTest {
    /** Longest boot text whose base64url form fits {@link BootData#MAX_ENCODED_LENGTH}, plus a margin. */
    static final int MAX_INPUT_BYTES = BootData.MAX_ENCODED_LENGTH / 4 * 3 + 16;

    @FuzzTest
    @DictionaryEntries({"knitting-boot=1", "workerIndex=", "laneBytes=", "shmMode=INHERIT", "shmMode=NAMED",
            "shmName=", "task=", "taskFingerprint=", "allowedPackage=", "maxPayloadBytes=", "idleSpinNanos=",
            "idleYields=", "idleMaxParkNanos=", "poolDepth=", "hostPid=", "hostStartMillis=", "debug=true",
            "debug=false", "bootstrapClass=", "bootstrapMethod=", "=-1", "#", "::", "import:"})
    void decodesAnyBootText(byte[] input) {
        if (input.length > MAX_INPUT_BYTES) {
            return;
        }
        String encoded = input.length > 0 && input[0] == '!'
                ? new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1)
                : Base64.getUrlEncoder().withoutPadding().encodeToString(input);
        BootData boot;
        try {
            boot = BootData.decode(encoded);
        } catch (ProtocolException expected) {
            return;
        }
        String again = boot.encode();
        if (again.length() > BootData.MAX_ENCODED_LENGTH) {
            throw new AssertionError("accepted boot data encodes to " + again.length() + " chars, more than "
                    + BootData.MAX_ENCODED_LENGTH);
        }
        BootData twice = BootData.decode(again);
        if (!twice.equals(boot)) {
            throw new AssertionError("boot data changed on a round trip: " + boot + " became " + twice);
        }
    }
}
