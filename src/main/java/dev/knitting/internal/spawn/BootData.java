package dev.knitting.internal.spawn;

import dev.knitting.IdlePolicy;
import dev.knitting.ProtocolException;
import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.task.JavaNames;
import dev.knitting.internal.worker.WorkerSpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything a worker process needs at boot, handed over in one environment variable
 * ({@link WorkerEnv#BOOT}). The host builds it, {@link #encode()}s it; the worker
 * {@link #decode}s it and trusts nothing it did not validate.
 *
 * <h2>Format (the only place it is described)</h2>
 * The value is UTF-8 text, base64url-encoded without padding (so only {@code [A-Za-z0-9_-]}
 * reach the environment, whatever the locale). The text is {@code key=value} lines, each ending
 * with {@code '\n'}; the first line is the format tag with the protocol version, the rest may come
 * in any order; {@code task} and {@code allowedPackage} repeat, every other key appears exactly
 * once ({@code shmName} only in NAMED mode, {@code bootstrapClass} and {@code bootstrapMethod}
 * together or not at all); unknown keys are rejected:
 * <pre>
 * knitting-boot=1                       protocol version; the worker accepts only its own
 * workerIndex=0                         [0, 65535]
 * laneBytes=2101248                     [1, 2^40]
 * shmMode=INHERIT                       INHERIT (lane is fd 0) or NAMED
 * shmName=knitting-3f9a...              NAMED only: [A-Za-z0-9._-], 1..255 chars, no leading '.'
 * task=com.example.Tasks#square         one line per task, in table order; 1..4096 chars,
 * task=com.example.Tasks::neg(I)I       no whitespace or control characters, unique
 * task=import:com.example.Plugin#run    an imported task (resolved by the worker alone)
 * taskFingerprint=00c0ffee12345678      exactly 16 lower-case hex digits
 * allowedPackage=com.example.model      zero or more package names, written sorted; an empty
 * allowedPackage=                       value is the unnamed package (single-file programs)
 * maxPayloadBytes=8388608               [1, 2^31-1]
 * idleSpinNanos=50000                   the worker's {@link IdlePolicy}; same ranges
 * idleYields=8
 * idleMaxParkNanos=250000000
 * poolDepth=1                           the worker's depth, [1, {@value WorkerEnv#MAX_POOL_DEPTH}]
 * hostPid=4242                          positive
 * hostStartMillis=1700000000000         host start, epoch millis as ProcessHandle.Info reports it; -1 unknown
 * debug=false                           true or false
 * bootstrapClass=com.example.Boot       only with a bootstrap: a binary class name
 * bootstrapMethod=init                  only with a bootstrap: a method name
 * </pre>
 * The bootstrap's <em>data</em> is not here: it can be any payload, larger than an environment
 * variable holds, so the host sends it as the first message of the lane's request ring (type
 * {@code BOOTSTRAP}, see {@code MessageDescriptor}), the same way for thread and process workers.
 * Numbers are decimal without sign or leading zeros (except {@code -1}). The encoded value is at
 * most {@value #MAX_ENCODED_LENGTH} characters: Linux refuses longer single environment strings
 * ({@code MAX_ARG_STRLEN}, 128 KiB), so {@link #encode()} fails early instead of {@code exec}.
 *
 * @param protocolVersion the lane protocol the host speaks; {@link #decode} accepts only
 *     {@link #PROTOCOL_VERSION}
 * @param spec what every worker gets, thread or process: its index, task names and fingerprint,
 *     payload rules, idle policy and bootstrap; validated here, because here it crosses a process
 *     boundary ({@code ""} in its allowed packages is the unnamed package)
 * @param laneBytes the size of the lane mapping
 * @param shmMode how the lane reaches the worker
 * @param shmName the shared-memory name in NAMED mode, empty in INHERIT mode
 * @param poolDepth the worker's pool depth (its host's plus one)
 * @param hostPid the host's pid
 * @param hostStartMillis the host's start instant in epoch millis, -1 when unknown; with the pid it
 *     identifies the host even after the pid is reused
 * @param debug whether the worker prints debug output
 */
public record BootData(int protocolVersion, WorkerSpec spec, long laneBytes, SharedMemoryMode shmMode,
                       String shmName, int poolDepth, long hostPid, long hostStartMillis, boolean debug) {
    /** The protocol version this build speaks. */
    public static final int PROTOCOL_VERSION = 1;
    /** Longest encoded value: under Linux's 131072-byte limit for {@code KNITTING_BOOT=value\0}. */
    public static final int MAX_ENCODED_LENGTH = 131_072 - 64;
    /** Longest task name in chars. */
    public static final int MAX_TASK_NAME_LENGTH = 4096;
    /** Largest lane. */
    public static final long MAX_LANE_BYTES = 1L << 40;
    /** Largest worker index. */
    public static final int MAX_WORKER_INDEX = 65_535;

    private static final String TAG = "knitting-boot";
    private static final Set<String> SINGLE_KEYS = Set.of("workerIndex", "laneBytes", "shmMode", "shmName",
            "taskFingerprint", "maxPayloadBytes", "idleSpinNanos", "idleYields", "idleMaxParkNanos", "poolDepth",
            "hostPid", "hostStartMillis", "debug", "bootstrapClass", "bootstrapMethod");

    /**
     * Validates every component, naming the bad one ({@code name=value}); copies the collections.
     *
     * @throws IllegalArgumentException on a value out of range
     * @throws NullPointerException on a null component
     */
    public BootData {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(shmMode, "shmMode");
        Objects.requireNonNull(shmName, "shmName");
        check(protocolVersion > 0, "protocolVersion", protocolVersion, "must be positive");
        check(spec.workerIndex() >= 0 && spec.workerIndex() <= MAX_WORKER_INDEX, "workerIndex", spec.workerIndex(),
                "must be in [0, " + MAX_WORKER_INDEX + "]");
        check(laneBytes > 0 && laneBytes <= MAX_LANE_BYTES, "laneBytes", laneBytes,
                "must be in [1, " + MAX_LANE_BYTES + "]");
        if (shmMode == SharedMemoryMode.NAMED) {
            check(BootSyntax.isShmName(shmName), "shmName", quote(shmName),
                    "must be 1..255 of [A-Za-z0-9._-], not starting with '.', in NAMED mode");
        } else {
            check(shmName.isEmpty(), "shmName", quote(shmName), "must be empty in INHERIT mode");
        }
        check(!spec.taskNames().isEmpty(), "taskNames", spec.taskNames(), "must not be empty");
        Set<String> seen = new HashSet<>();
        for (String name : spec.taskNames()) {
            checkTaskName(name);
            check(seen.add(name), "task", quote(name), "appears twice");
        }
        for (String name : spec.allowedPackages()) {
            check(name.isEmpty() || BootSyntax.isQualifiedName(name), "allowedPackage", quote(name),
                    "is not a package name (empty for the unnamed package)");
        }
        check(spec.maxPayloadBytes() > 0 && spec.maxPayloadBytes() <= Integer.MAX_VALUE, "maxPayloadBytes",
                spec.maxPayloadBytes(), "must be in [1, " + Integer.MAX_VALUE + "]");
        Objects.requireNonNull(spec.idle(), "idle");
        check(poolDepth >= 1 && poolDepth <= WorkerEnv.MAX_POOL_DEPTH, "poolDepth", poolDepth,
                "must be in [1, " + WorkerEnv.MAX_POOL_DEPTH + "]");
        check(hostPid > 0, "hostPid", hostPid, "must be positive");
        check(hostStartMillis >= -1, "hostStartMillis", hostStartMillis, "must be -1 (unknown) or an epoch millis");
        String bootstrapClass = spec.bootstrapClass();
        String bootstrapMethod = spec.bootstrapMethod();
        check(bootstrapClass.isEmpty() == bootstrapMethod.isEmpty(), "bootstrapMethod", quote(bootstrapMethod),
                "must be given together with bootstrapClass=" + quote(bootstrapClass));
        check(bootstrapClass.isEmpty() || JavaNames.isBinaryClassName(bootstrapClass), "bootstrapClass",
                quote(abbreviate(bootstrapClass)), "is not a binary class name");
        check(bootstrapMethod.isEmpty() || JavaNames.isIdentifier(bootstrapMethod), "bootstrapMethod",
                quote(abbreviate(bootstrapMethod)), "is not a method name");
    }

    /**
     * @return this record as one environment-safe string, the format in the class comment
     * @throws IllegalArgumentException if it would exceed {@value #MAX_ENCODED_LENGTH} characters
     *     (thousands of tasks)
     */
    public String encode() {
        StringBuilder text = new StringBuilder(256);
        line(text, TAG, Integer.toString(protocolVersion));
        line(text, "workerIndex", Integer.toString(spec.workerIndex()));
        line(text, "laneBytes", Long.toString(laneBytes));
        line(text, "shmMode", shmMode.name());
        if (shmMode == SharedMemoryMode.NAMED) {
            line(text, "shmName", shmName);
        }
        for (String task : spec.taskNames()) {
            line(text, "task", task);
        }
        line(text, "taskFingerprint", HexFormat.of().toHexDigits(spec.fingerprint()));
        for (String pkg : new TreeSet<>(spec.allowedPackages())) {
            line(text, "allowedPackage", pkg);
        }
        IdlePolicy idle = spec.idle();
        line(text, "maxPayloadBytes", Long.toString(spec.maxPayloadBytes()));
        line(text, "idleSpinNanos", Long.toString(idle.spin().toNanos()));
        line(text, "idleYields", Integer.toString(idle.yields()));
        line(text, "idleMaxParkNanos", Long.toString(idle.maxPark().toNanos()));
        line(text, "poolDepth", Integer.toString(poolDepth));
        line(text, "hostPid", Long.toString(hostPid));
        line(text, "hostStartMillis", Long.toString(hostStartMillis));
        line(text, "debug", Boolean.toString(debug));
        if (spec.hasBootstrap()) {
            line(text, "bootstrapClass", spec.bootstrapClass());
            line(text, "bootstrapMethod", spec.bootstrapMethod());
        }
        String encoded = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
        if (encoded.length() > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("boot data of " + spec.taskNames().size() + " tasks encodes to "
                    + encoded.length() + " chars, more than an environment variable holds ("
                    + MAX_ENCODED_LENGTH + "): fewer or shorter task names");
        }
        return encoded;
    }

    /**
     * Parses and validates the value of {@link WorkerEnv#BOOT}.
     *
     * @param encoded the variable's value, {@code null} when unset
     * @throws ProtocolException naming the field (or the layer: base64, UTF-8, line) that is bad
     */
    public static BootData decode(String encoded) {
        if (encoded == null) {
            throw bad(WorkerEnv.BOOT + " is not set: this JVM was not started as a worker by a pool");
        }
        if (encoded.isEmpty() || encoded.length() > MAX_ENCODED_LENGTH) {
            throw bad(WorkerEnv.BOOT + " has length " + encoded.length() + ", must be in [1, "
                    + MAX_ENCODED_LENGTH + "]");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw bad(WorkerEnv.BOOT + " is not base64url: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(WorkerEnv.BOOT + " is not UTF-8 text: " + e);
        }
        return parse(text);
    }

    private static BootData parse(String text) {
        if (!text.endsWith("\n")) {
            throw bad(WorkerEnv.BOOT + " text does not end with a newline (truncated?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        String[] first = split(lines[0], 1);
        if (!first[0].equals(TAG)) {
            throw bad(WorkerEnv.BOOT + " line 1 is not \"" + TAG + "=<version>\": " + quote(abbreviate(lines[0])));
        }
        int version = (int) number(TAG, first[1], 1, Integer.MAX_VALUE);
        if (version != PROTOCOL_VERSION) {
            throw bad(WorkerEnv.BOOT + " protocolVersion=" + version + ", this worker speaks " + PROTOCOL_VERSION
                    + " (host and worker run different Knitting versions?)");
        }
        Map<String, String> single = new HashMap<>();
        List<String> tasks = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (int i = 1; i < lines.length; i++) {
            String[] kv = split(lines[i], i + 1);
            switch (kv[0]) {
                case "task" -> tasks.add(kv[1]);
                case "allowedPackage" -> {
                    if (!packages.add(kv[1])) {
                        throw bad(WorkerEnv.BOOT + " field allowedPackage=" + quote(kv[1]) + " appears twice");
                    }
                }
                default -> {
                    if (!SINGLE_KEYS.contains(kv[0])) {
                        throw bad(WorkerEnv.BOOT + " line " + (i + 1) + " has unknown field "
                                + quote(abbreviate(kv[0])));
                    }
                    if (single.put(kv[0], kv[1]) != null) {
                        throw bad(WorkerEnv.BOOT + " field " + kv[0] + " appears twice");
                    }
                }
            }
        }
        SharedMemoryMode mode = switch (required(single, "shmMode")) {
            case "INHERIT" -> SharedMemoryMode.INHERIT;
            case "NAMED" -> SharedMemoryMode.NAMED;
            default -> throw bad(WorkerEnv.BOOT + " field shmMode=" + quote(abbreviate(single.get("shmMode")))
                    + " must be INHERIT or NAMED");
        };
        String shmName = single.get("shmName");
        if (mode == SharedMemoryMode.NAMED && shmName == null) {
            throw bad(WorkerEnv.BOOT + " field shmName is missing in NAMED mode");
        }
        if (mode == SharedMemoryMode.INHERIT && shmName != null) {
            throw bad(WorkerEnv.BOOT + " field shmName must be absent in INHERIT mode");
        }
        String fingerprint = required(single, "taskFingerprint");
        if (!BootSyntax.isHex16(fingerprint)) {
            throw bad(WorkerEnv.BOOT + " field taskFingerprint=" + quote(abbreviate(fingerprint))
                    + " must be 16 lower-case hex digits");
        }
        String debug = required(single, "debug");
        if (!debug.equals("true") && !debug.equals("false")) {
            throw bad(WorkerEnv.BOOT + " field debug=" + quote(abbreviate(debug)) + " must be true or false");
        }
        for (String key : List.of("bootstrapClass", "bootstrapMethod")) {
            if ("".equals(single.get(key))) {
                throw bad(WorkerEnv.BOOT + " field " + key + " is empty (leave it out when there is no bootstrap)");
            }
        }
        IdlePolicy idle;
        try {
            idle = new IdlePolicy(Duration.ofNanos(field(single, "idleSpinNanos", 0, Long.MAX_VALUE)),
                    (int) field(single, "idleYields", 0, Integer.MAX_VALUE),
                    Duration.ofNanos(field(single, "idleMaxParkNanos", 1, Long.MAX_VALUE)));
        } catch (IllegalArgumentException e) {
            throw bad(WorkerEnv.BOOT + " field idle: " + e.getMessage());
        }
        try {
            WorkerSpec spec = new WorkerSpec((int) field(single, "workerIndex", 0, MAX_WORKER_INDEX), tasks,
                    Long.parseUnsignedLong(fingerprint, 16), packages,
                    field(single, "maxPayloadBytes", 1, Integer.MAX_VALUE), idle,
                    single.getOrDefault("bootstrapClass", ""), single.getOrDefault("bootstrapMethod", ""));
            return new BootData(version, spec, field(single, "laneBytes", 1, MAX_LANE_BYTES),
                    mode, shmName == null ? "" : shmName,
                    (int) field(single, "poolDepth", 1, WorkerEnv.MAX_POOL_DEPTH),
                    field(single, "hostPid", 1, Long.MAX_VALUE),
                    field(single, "hostStartMillis", -1, Long.MAX_VALUE),
                    debug.equals("true"));
        } catch (IllegalArgumentException e) {
            throw bad(WorkerEnv.BOOT + " field " + e.getMessage());
        }
    }

    private static String[] split(String line, int lineNumber) {
        int eq = line.indexOf('=');
        if (eq <= 0) {
            throw bad(WorkerEnv.BOOT + " line " + lineNumber + " is not key=value: " + quote(abbreviate(line)));
        }
        return new String[] {line.substring(0, eq), line.substring(eq + 1)};
    }

    private static String required(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw bad(WorkerEnv.BOOT + " field " + key + " is missing");
        }
        return value;
    }

    private static long field(Map<String, String> fields, String key, long min, long max) {
        return number(key, required(fields, key), min, max);
    }

    private static long number(String key, String value, long min, long max) {
        if (!BootSyntax.isNumber(value)) {
            throw bad(WorkerEnv.BOOT + " field " + key + "=" + quote(abbreviate(value)) + " is not a decimal number");
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(WorkerEnv.BOOT + " field " + key + "=" + value + " is out of range");
        }
        if (n < min || n > max) {
            throw bad(WorkerEnv.BOOT + " field " + key + "=" + n + " must be in [" + min + ", " + max + "]");
        }
        return n;
    }

    private static void checkTaskName(String name) {
        Objects.requireNonNull(name, "task name");
        check(!name.isEmpty() && name.length() <= MAX_TASK_NAME_LENGTH, "task", quote(abbreviate(name)),
                "must have 1.." + MAX_TASK_NAME_LENGTH + " chars");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            check(!Character.isWhitespace(c) && !Character.isISOControl(c) && !Character.isSpaceChar(c), "task",
                    quote(abbreviate(name)), "contains whitespace or a control character at index " + i);
        }
        check(roundTripsUtf8(name), "task", quote(abbreviate(name)), "contains an unpaired surrogate");
    }

    private static boolean roundTripsUtf8(String s) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void line(StringBuilder text, String key, String value) {
        text.append(key).append('=').append(value).append('\n');
    }

    private static void check(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(name + "=" + value + " " + rule);
        }
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...(" + s.length() + " chars)";
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(message);
    }
}
