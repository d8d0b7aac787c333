package dev.knitting.internal.codec;

import dev.knitting.PayloadException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Cached access to one record class: component accessors typed so primitives are read without
 * boxing, and the canonical constructor as one {@code (Object[])Object} handle.
 *
 * <p>Why: reflection per call would dominate a small record's cost; method handles built once per
 * class (and cached by {@link TypePolicy}) keep encode and decode of a 5-field record cheap.
 * Immutable and thread-safe once built.
 */
final class RecordCodec {
    static final byte K_OBJECT = 0;
    static final byte K_INT = 1;
    static final byte K_LONG = 2;
    static final byte K_DOUBLE = 3;
    static final byte K_FLOAT = 4;
    static final byte K_BOOLEAN = 5;
    static final byte K_BYTE = 6;
    static final byte K_SHORT = 7;
    static final byte K_CHAR = 8;

    final Class<?> type;
    final String name;
    final byte[] kinds;
    final String[] componentNames;
    /** Accessors, typed {@code (Object)int}, {@code (Object)long}, ... or {@code (Object)Object}. */
    final MethodHandle[] getters;
    /** Boxed component types for checking decoded values before the constructor runs. */
    final Class<?>[] checkTypes;
    final boolean[] primitive;
    /** Canonical constructor typed {@code (Object[])Object}. */
    final MethodHandle constructor;

    private RecordCodec(Class<?> type, byte[] kinds, String[] componentNames, MethodHandle[] getters,
                        Class<?>[] checkTypes, boolean[] primitive, MethodHandle constructor) {
        this.type = type;
        this.name = type.getName();
        this.kinds = kinds;
        this.componentNames = componentNames;
        this.getters = getters;
        this.checkTypes = checkTypes;
        this.primitive = primitive;
        this.constructor = constructor;
    }

    int componentCount() {
        return kinds.length;
    }

    static RecordCodec of(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        int n = components.length;
        byte[] kinds = new byte[n];
        String[] names = new String[n];
        MethodHandle[] getters = new MethodHandle[n];
        Class<?>[] checkTypes = new Class<?>[n];
        boolean[] primitive = new boolean[n];
        Class<?>[] parameterTypes = new Class<?>[n];
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (int i = 0; i < n; i++) {
                RecordComponent c = components[i];
                Class<?> t = c.getType();
                parameterTypes[i] = t;
                names[i] = c.getName();
                kinds[i] = kindOf(t);
                primitive[i] = t.isPrimitive();
                checkTypes[i] = t.isPrimitive() ? MethodType.methodType(t).wrap().returnType() : t;
                Method accessor = c.getAccessor();
                makeAccessible(type, accessor);
                MethodHandle h = lookup.unreflect(accessor);
                Class<?> ret = kinds[i] == K_OBJECT ? Object.class : t;
                getters[i] = h.asType(MethodType.methodType(ret, Object.class));
            }
            Constructor<?> ctor = type.getDeclaredConstructor(parameterTypes);
            makeAccessible(type, ctor);
            MethodHandle constructor = lookup.unreflectConstructor(ctor)
                    .asSpreader(Object[].class, n)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return new RecordCodec(type, kinds, names, getters, checkTypes, primitive, constructor);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new PayloadException("record " + type.getName() + " cannot be used as a payload: " + e, e);
        }
    }

    private static void makeAccessible(Class<?> type, java.lang.reflect.AccessibleObject member) {
        if (!member.trySetAccessible()) {
            Module knitting = RecordCodec.class.getModule();
            String target = knitting.isNamed() ? knitting.getName() : "ALL-UNNAMED";
            String pkg = type.getPackageName();
            String module = type.getModule().isNamed() ? type.getModule().getName() : "ALL-UNNAMED";
            throw new PayloadException("record " + type.getName() + " is not accessible to Knitting: open its"
                    + " package to " + target + " (add 'opens " + pkg + " to " + target + ";' to the"
                    + " module-info.java of module " + module + ", or run with --add-opens " + module + "/"
                    + pkg + "=" + target + ")");
        }
    }

    private static byte kindOf(Class<?> t) {
        if (t == int.class) {
            return K_INT;
        } else if (t == long.class) {
            return K_LONG;
        } else if (t == double.class) {
            return K_DOUBLE;
        } else if (t == float.class) {
            return K_FLOAT;
        } else if (t == boolean.class) {
            return K_BOOLEAN;
        } else if (t == byte.class) {
            return K_BYTE;
        } else if (t == short.class) {
            return K_SHORT;
        } else if (t == char.class) {
            return K_CHAR;
        }
        return K_OBJECT;
    }
}
