package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.IdlePolicy;
import dev.knitting.ProtocolException;
import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.worker.WorkerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class BootDataTest {
    private static final BootData NAMED = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(7, List.of("com.example.Tasks#square", "com.example.Tasks::neg(I)I",
                        "com.exämple.Tâsks#ünicode", "a.B::m([Ljava/lang/String;)Ljava/util/List;"),
                        0xfedc_ba98_7654_3210L, Set.of("com.example.model", "org.other"), 8L << 20,
                        new IdlePolicy(Duration.ofNanos(12_345), 3, Duration.ofMillis(250)), "", ""),
                2_101_248, SharedMemoryMode.NAMED, "knitting-3f9a_b.c-1", 2, 4242, 1_700_000_000_123L, true);
    private static final BootData INHERIT = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("t.T#x"),
                        0, Set.of(), 1, IdlePolicy.LOW_CPU, "", ""),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false);
    private static final BootData BOOTSTRAPPED = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(1, List.of("import:com.example.plugin.Plugin#run", "t.T#x"),
                        0, Set.of("com.example.plugin"), 1, IdlePolicy.LOW_CPU, "com.example.Boot$Inner", "init"),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false);

    private static final String VALID_TEXT = """
            knitting-boot=1
            workerIndex=3
            laneBytes=4096
            shmMode=NAMED
            shmName=knitting-abc
            task=com.example.Tasks#square
            task=com.example.Tasks::neg(I)I
            taskFingerprint=00c0ffee12345678
            allowedPackage=com.example.model
            maxPayloadBytes=8388608
            idleSpinNanos=50000
            idleYields=8
            idleMaxParkNanos=250000000
            poolDepth=1
            hostPid=4242
            hostStartMillis=1700000000000
            debug=false
            """;

    @Test
    void shouldRoundTripEveryField() {
        for (BootData boot : List.of(NAMED, INHERIT, BOOTSTRAPPED)) {
            assertThat(BootData.decode(boot.encode())).isEqualTo(boot);
        }
        assertThat(BootData.decode(BOOTSTRAPPED.encode()).spec().hasBootstrap()).isTrue();
        assertThat(BootData.decode(INHERIT.encode()).spec().hasBootstrap()).isFalse();
    }

    @Test
    void shouldCarryTheUnnamedPackageAsAnEmptyPackageName() {
        BootData boot = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("Tasks#SQUARE"),
                        0, Set.of("", "com.example.model"), 1, IdlePolicy.LOW_CPU, "", ""),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false);

        assertThat(BootData.decode(boot.encode()).spec().allowedPackages())
                .containsExactlyInAnyOrder("", "com.example.model");
    }

    @Test
    void shouldDecodeTheBootstrapLinesTogether() {
        BootData boot = BootData.decode(encodeText(VALID_TEXT + "bootstrapClass=com.example.Boot\nbootstrapMethod=init\n"));

        assertThat(boot.spec().bootstrapClass()).isEqualTo("com.example.Boot");
        assertThat(boot.spec().bootstrapMethod()).isEqualTo("init");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "bootstrapClass=com.example.Boot|bootstrapMethod",
        "bootstrapMethod=init|bootstrapMethod",
        "bootstrapClass=com.example.Boot\\nbootstrapMethod=|bootstrapMethod is empty",
        "bootstrapClass=\\nbootstrapMethod=init|bootstrapClass is empty",
        "bootstrapClass=com..Boot\\nbootstrapMethod=init|bootstrapClass",
        "bootstrapClass=com.example.Boot\\nbootstrapMethod=in-it|bootstrapMethod",
        "bootstrapClass=a.B\\nbootstrapMethod=init\\nbootstrapMethod=init|appears twice",
    })
    void shouldRejectBadBootstrapLinesNamingThem(String lines, String message) {
        String text = VALID_TEXT + lines.replace("\\n", "\n") + "\n";

        assertThatThrownBy(() -> BootData.decode(encodeText(text))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldKeepTheTaskOrder() {
        assertThat(BootData.decode(NAMED.encode()).spec().taskNames())
                .containsExactlyElementsOf(NAMED.spec().taskNames());
    }

    @Test
    void shouldEncodeToEnvironmentSafeCharactersOnly() {
        assertThat(NAMED.encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void shouldDecodeTheDocumentedTextFormat() {
        BootData boot = BootData.decode(encodeText(VALID_TEXT));

        assertThat(boot.spec().workerIndex()).isEqualTo(3);
        assertThat(boot.shmMode()).isEqualTo(SharedMemoryMode.NAMED);
        assertThat(boot.shmName()).isEqualTo("knitting-abc");
        assertThat(boot.spec().taskNames()).containsExactly("com.example.Tasks#square", "com.example.Tasks::neg(I)I");
        assertThat(boot.spec().fingerprint()).isEqualTo(0x00c0ffee12345678L);
        assertThat(boot.spec().idle()).isEqualTo(IdlePolicy.BALANCED);
        assertThat(boot.hostStartMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(BootData.decode(boot.encode())).isEqualTo(boot);
    }

    @Test
    void shouldSayWhenTheVariableIsNotSet() {
        assertThatThrownBy(() -> BootData.decode(null)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("KNITTING_BOOT is not set");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''|length 0",
        "'not base64!'|not base64url",
        "'_w'|not UTF-8",
    })
    void shouldRejectBadOuterLayers(String encoded, String message) {
        assertThatThrownBy(() -> BootData.decode(encoded)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "knitting-boot=1|knitting-boot=2|protocolVersion=2",
        "knitting-boot=1|hello=1|line 1",
        "workerIndex=3|workerIndex=-1|workerIndex",
        "workerIndex=3|workerIndex=65536|workerIndex",
        "workerIndex=3|workerIndex=+3|workerIndex",
        "workerIndex=3|workerIndex=03|workerIndex",
        "workerIndex=3|workerIndex=99999999999999999999|workerIndex",
        "laneBytes=4096|laneBytes=0|laneBytes",
        "laneBytes=4096|laneBytes=|laneBytes",
        "shmMode=NAMED|shmMode=named|shmMode",
        "shmMode=NAMED|shmMode=INHERIT|shmName",
        "shmName=knitting-abc|shmName=../etc|shmName",
        "shmName=knitting-abc|shmName=|shmName",
        "shmName=knitting-abc|shmName=.hidden|shmName",
        "shmName=knitting-abc|hostname=x|unknown field",
        "task=com.example.Tasks#square|task=|task",
        "task=com.example.Tasks#square|task=com.example.Tasks::neg(I)I|appears twice",
        "task=com.example.Tasks#square|task=has\tTab|task",
        "taskFingerprint=00c0ffee12345678|taskFingerprint=00C0FFEE12345678|taskFingerprint",
        "taskFingerprint=00c0ffee12345678|taskFingerprint=c0ffee|taskFingerprint",
        "allowedPackage=com.example.model|allowedPackage=1com|allowedPackage",
        "maxPayloadBytes=8388608|maxPayloadBytes=0|maxPayloadBytes",
        "maxPayloadBytes=8388608|maxPayloadBytes=2147483648|maxPayloadBytes",
        "idleSpinNanos=50000|idleSpinNanos=-1|idleSpinNanos",
        "idleMaxParkNanos=250000000|idleMaxParkNanos=0|idleMaxParkNanos",
        "idleMaxParkNanos=250000000|idleMaxParkNanos=10000000001|maxPark",
        "poolDepth=1|poolDepth=0|poolDepth",
        "poolDepth=1|poolDepth=17|poolDepth",
        "hostPid=4242|hostPid=0|hostPid",
        "hostPid=4242|hostpid=4242|unknown field",
        "hostStartMillis=1700000000000|hostStartMillis=-2|hostStartMillis",
        "debug=false|debug=yes|debug",
        "debug=false|debug|not key=value",
        "debug=false|=false|not key=value",
    })
    void shouldRejectABadFieldNamingIt(String line, String replacement, String message) {
        String text = VALID_TEXT.replace(line + "\n", replacement.replace("\\t", "\t") + "\n");
        assertThat(text).isNotEqualTo(VALID_TEXT);

        assertThatThrownBy(() -> BootData.decode(encodeText(text))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "[{index}] without {0}")
    @CsvSource({"workerIndex", "laneBytes", "shmMode", "shmName", "taskFingerprint", "maxPayloadBytes",
        "idleSpinNanos", "idleYields", "idleMaxParkNanos", "poolDepth", "hostPid", "hostStartMillis", "debug"})
    void shouldRejectAMissingField(String key) {
        String text = VALID_TEXT.lines().filter(l -> !l.startsWith(key + "="))
                .collect(Collectors.joining("\n", "", "\n"));

        assertThatThrownBy(() -> BootData.decode(encodeText(text))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(key);
    }

    @Test
    void shouldRejectADuplicatedField() {
        assertThatThrownBy(() -> BootData.decode(encodeText(VALID_TEXT + "debug=true\n")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("debug appears twice");
    }

    @Test
    void shouldRejectAnEmptyTaskList() {
        String text = VALID_TEXT.lines().filter(l -> !l.startsWith("task="))
                .collect(Collectors.joining("\n", "", "\n"));

        assertThatThrownBy(() -> BootData.decode(encodeText(text))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("taskNames");
    }

    @Test
    void shouldRejectTruncatedText() {
        String text = VALID_TEXT.substring(0, VALID_TEXT.length() - 1);

        assertThatThrownBy(() -> BootData.decode(encodeText(text))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("newline");
    }

    @Test
    void shouldRejectBadComponentsAtConstructionNamingThem() {
        assertThatThrownBy(() -> new BootData(1,
                new WorkerSpec(0, List.of("t.T#x"),
                        0, Set.of(), 1, IdlePolicy.BALANCED, "", ""),
                4096, SharedMemoryMode.INHERIT, "x", 1, 1, -1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shmName=\"x\"");
        assertThatThrownBy(() -> new BootData(1,
                new WorkerSpec(0, List.of("bad\uD800name"),
                        0, Set.of(), 1, IdlePolicy.BALANCED, "", ""),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new BootData(0,
                new WorkerSpec(0, List.of("t.T#x"),
                        0, Set.of(), 1, IdlePolicy.BALANCED, "", ""),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("protocolVersion=0");
    }

    @Test
    void shouldRefuseToEncodeMoreThanAnEnvironmentVariableHolds() {
        List<String> tasks = IntStream.range(0, 5000).mapToObj(i -> "com.example.generated.Tasks#task" + i).toList();
        BootData big = new BootData(1,
                new WorkerSpec(0, tasks,
                        0, Set.of(), 1, IdlePolicy.BALANCED, "", ""),
                4096, SharedMemoryMode.INHERIT, "", 1, 1, -1, false);

        assertThatThrownBy(big::encode).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5000 tasks");
    }

    @Test
    void shouldAnswerRandomCorruptionOfTheEncodingWithProtocolExceptionOnly() {
        Random random = new Random(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/!";
        String valid = NAMED.encode();
        int rejected = 0;
        for (int round = 0; round < 5_000; round++) {
            StringBuilder s = new StringBuilder(valid);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && !s.isEmpty(); e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(4)) {
                    case 0 -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> s.deleteCharAt(at);
                    case 2 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setLength(at);
                }
            }
            rejected += decodesOrFailsCleanly(s.toString()) ? 0 : 1;
        }
        assertThat(rejected).isPositive();
    }

    @Test
    void shouldAnswerRandomCorruptionOfTheTextWithProtocolExceptionOnly() {
        Random random = new Random(7);
        byte[] valid = VALID_TEXT.getBytes(StandardCharsets.UTF_8);
        int rejected = 0;
        for (int round = 0; round < 5_000; round++) {
            List<Byte> bytes = new ArrayList<>();
            for (byte b : valid) {
                bytes.add(b);
            }
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
                int at = random.nextInt(bytes.size());
                switch (random.nextInt(4)) {
                    case 0 -> bytes.set(at, (byte) random.nextInt(256));
                    case 1 -> bytes.remove(at);
                    case 2 -> bytes.add(at, (byte) "=\n-0123456789abcdefz\t\u00e9".charAt(random.nextInt(22)));
                    default -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                }
            }
            byte[] mutated = new byte[bytes.size()];
            for (int i = 0; i < mutated.length; i++) {
                mutated[i] = bytes.get(i);
            }
            rejected += decodesOrFailsCleanly(Base64.getUrlEncoder().withoutPadding().encodeToString(mutated)) ? 0 : 1;
        }
        assertThat(rejected).isPositive();
    }

    /** @return true if it decoded (and then round-trips), false if it failed with ProtocolException */
    private static boolean decodesOrFailsCleanly(String encoded) {
        BootData decoded;
        try {
            decoded = BootData.decode(encoded);
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).startsWith("KNITTING_BOOT");
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("decode(\"" + encoded + "\") threw " + e + " instead of ProtocolException", e);
        }
        assertThat(BootData.decode(decoded.encode())).isEqualTo(decoded);
        return true;
    }

    private static String encodeText(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
