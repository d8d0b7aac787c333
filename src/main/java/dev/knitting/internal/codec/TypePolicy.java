package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Which record and enum types may travel as payloads, and how they are found again by name.
 *
 * <p>Why: a payload names classes, and a hostile peer chooses those names. The policy answers
 * "may this class travel" from the package name alone, before any class is loaded, so a name
 * outside the allow-list never reaches a class loader and never runs a static initialiser.
 *
 * <p>Invariants: immutable and thread-safe. Records and enums are allowed only when their
 * package is exactly one of {@code allowedPackages} (no sub-packages); enums of {@code java.time}
 * (and its sub-packages) and {@link TimeUnit} are always allowed. Resolved codecs are cached per
 * policy; failed look-ups are not cached, so hostile names cannot grow the cache.
 */
public final class TypePolicy {
    private static final Module JAVA_BASE = Object.class.getModule();
    private static final String TIME_UNIT = TimeUnit.class.getName();

    private final ClassLoader loader;
    private final Set<String> allowedPackages;
    private final String allowedList;
    private final ClassValue<Object> byClass = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            return codecFor(type);
        }
    };
    private final ConcurrentHashMap<String, Object> byName = new ConcurrentHashMap<>();

    private TypePolicy(ClassLoader loader, Set<String> allowedPackages) {
        this.loader = loader;
        this.allowedPackages = Set.copyOf(allowedPackages);
        this.allowedList = new TreeSet<>(this.allowedPackages).toString();
    }

    /**
     * @param loader finds record and enum classes named by decoded payloads; {@code null} means the
     *     system class loader
     * @param allowedPackages exact package names whose records and enums may travel
     * @return an immutable policy
     */
    public static TypePolicy of(ClassLoader loader, Set<String> allowedPackages) {
        Objects.requireNonNull(allowedPackages, "allowedPackages");
        for (String p : allowedPackages) {
            Objects.requireNonNull(p, "allowedPackages contains null");
        }
        return new TypePolicy(loader == null ? ClassLoader.getSystemClassLoader() : loader, allowedPackages);
    }

    /** @return the allowed packages (an unmodifiable copy) */
    public Set<String> allowedPackages() {
        return allowedPackages;
    }

    /** @return the allowed packages, sorted, as {@code [a, b]} for messages */
    String allowedList() {
        return allowedList;
    }

    /** Encoder side: the codec of record class {@code type}, or a {@link PayloadException} why not. */
    RecordCodec record(Class<?> type) {
        Object codec = byClass.get(type);
        if (codec instanceof RecordCodec r) {
            return r;
        }
        throw new PayloadException((String) codec);
    }

    /** Encoder side: the codec of enum class {@code type} (the declaring class), or why not. */
    EnumCodec enumType(Class<?> type) {
        Object codec = byClass.get(type);
        if (codec instanceof EnumCodec e) {
            return e;
        }
        throw new PayloadException((String) codec);
    }

    /** @return a {@link RecordCodec}, an {@link EnumCodec}, or the message saying why not */
    private Object codecFor(Class<?> type) {
        String kind = type.isRecord() ? "record" : "enum";
        if (!isAllowed(type)) {
            return notAllowed(kind, type.getName(), type.getPackageName());
        }
        try {
            return type.isRecord() ? RecordCodec.of(type) : EnumCodec.of(type);
        } catch (PayloadException e) {
            return e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return kind + " " + type.getName() + " cannot be used as a payload: " + e;
        }
    }

    private boolean isAllowed(Class<?> type) {
        String pkg = type.getPackageName();
        if (allowedPackages.contains(pkg)) {
            return true;
        }
        return type.isEnum() && type.getModule() == JAVA_BASE && isJdkEnumName(type.getName());
    }

    private static boolean isJdkEnumName(String name) {
        return name.startsWith("java.time.") || name.equals(TIME_UNIT);
    }

    private String notAllowed(String kind, String name, String pkg) {
        return kind + " " + name + " is not allowed as a payload: its package '" + pkg
                + "' is not in the allowed packages " + allowedList
                + " (records and enums must be in an allowed package: by default the packages of the"
                + " pool's task classes)";
    }

    /**
     * Decoder side: resolves a class name read from a payload. The package is checked before the
     * class is loaded, and the class is loaded without initialisation.
     *
     * @param record {@code true} for a RECORD definition, {@code false} for an ENUM definition
     * @return the codec, never {@code null}
     */
    Object resolve(String name, boolean record) {
        Object codec = byName.get(name);
        if (codec == null) {
            codec = load(name, record);
            byName.putIfAbsent(name, codec);
        }
        if (record ? !(codec instanceof RecordCodec) : !(codec instanceof EnumCodec)) {
            throw wrongKind(name, record);
        }
        return codec;
    }

    private static ProtocolException wrongKind(String name, boolean record) {
        return new ProtocolException("payload names " + name + " as " + (record ? "a record" : "an enum")
                + " but it is " + (record ? "not a record" : "not an enum"));
    }

    private Object load(String name, boolean record) {
        String kind = record ? "record" : "enum";
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        boolean jdkEnum = !record && isJdkEnumName(name);
        if (!jdkEnum && !allowedPackages.contains(pkg)) {
            throw new PayloadException("payload names " + notAllowed(kind, name, pkg));
        }
        Class<?> type;
        try {
            type = Class.forName(name, false, jdkEnum ? null : loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PayloadException("payload names " + kind + " " + name
                    + ", which the pool's class loader cannot load: " + e, e);
        }
        if (record ? !type.isRecord() : !type.isEnum()) {
            throw wrongKind(name, record);
        }
        if (!type.getName().equals(name) || !isAllowed(type)) {
            throw new PayloadException("payload names " + notAllowed(kind, name, type.getPackageName()));
        }
        Object codec = byClass.get(type);
        if (codec instanceof String message) {
            throw new PayloadException(message);
        }
        return codec;
    }
}
