package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.RemoteTaskException;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rebuilds a decoded throwable as its own type when that is safe, else as
 * {@link RemoteTaskException}.
 *
 * <p>Why: a task's exception should reach the caller as what it is, yet a payload must never make
 * us load or construct an arbitrary class, and a hostile worker must not be able to show the
 * caller a failure that means something about the host: a fake {@code OutOfMemoryError} (callers
 * treat errors as fatal) or a fake {@code PoolClosedException} (the pool is not closed). So only
 * public, non-abstract exception classes of {@code java.*} packages defined in {@code java.base}
 * (looked up in the boot loader only) that are not {@link Error}s are rebuilt as themselves, plus
 * exactly {@link PayloadException}: the worker runtime reports an argument or result that cannot
 * travel with it (SPEC 2), and a worker that forges one claims nothing it could not cause for real
 * by returning an oversized result. Every {@code Error} and every other type of this library
 * ({@code PoolClosedException}, {@code WorkerCrashedException}, {@code TaskTimeoutException},
 * {@code ProtocolException}, ...) arrives as a {@code RemoteTaskException} carrying the remote
 * class name, as does every type without a public {@code (String)} or {@code (String, T extends
 * Throwable)} constructor, and every constructor failure. Thread-safe; the cache holds only
 * classes that exist, plus a bounded number of misses.
 */
final class ThrowableTypes {
    private static final int MAX_CACHED_MISSES = 1024;
    private static final Module JAVA_BASE = Object.class.getModule();
    /** The one type of this library rebuilt as itself (see the class comment). */
    private static final String PAYLOAD_EXCEPTION = PayloadException.class.getName();
    private static final Factory REMOTE_ONLY = new Factory(null, null, null);
    private static final ConcurrentHashMap<String, Factory> FACTORIES = new ConcurrentHashMap<>();

    private ThrowableTypes() {
    }

    /** Builds the throwable; the caller sets the stack trace and suppressed list afterwards. */
    static Throwable rebuild(String className, String message, Throwable cause) {
        Throwable t = factory(className).create(message, cause);
        if (t == null) {
            t = new RemoteTaskException(className, message);
            if (cause != null) {
                t.initCause(cause);
            }
        }
        return t;
    }

    private static Factory factory(String className) {
        Factory f = FACTORIES.get(className);
        if (f == null) {
            f = find(className);
            if (f != REMOTE_ONLY || FACTORIES.size() < MAX_CACHED_MISSES) {
                FACTORIES.putIfAbsent(className, f);
            }
        }
        return f;
    }

    private static Factory find(String className) {
        Class<?> type;
        try {
            if (className.equals(PAYLOAD_EXCEPTION)) {
                type = PayloadException.class;
            } else if (className.startsWith("java.")) {
                type = Class.forName(className, false, null);
                if (type.getModule() != JAVA_BASE || Error.class.isAssignableFrom(type)) {
                    return REMOTE_ONLY;
                }
            } else {
                return REMOTE_ONLY;
            }
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return REMOTE_ONLY;
        }
        if (!Throwable.class.isAssignableFrom(type) || !Modifier.isPublic(type.getModifiers())
                || Modifier.isAbstract(type.getModifiers()) || !type.getName().equals(className)) {
            return REMOTE_ONLY;
        }
        Constructor<?> withMessage = null;
        Constructor<?> withCause = null;
        for (Constructor<?> c : type.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == 1 && p[0] == String.class) {
                withMessage = c;
            } else if (p.length == 2 && p[0] == String.class && Throwable.class.isAssignableFrom(p[1])) {
                if (withCause == null || p[1] == Throwable.class) {
                    withCause = c;
                }
            }
        }
        if (withMessage == null && withCause == null) {
            return REMOTE_ONLY;
        }
        return new Factory(withMessage, withCause, withCause == null ? null : withCause.getParameterTypes()[1]);
    }

    private record Factory(Constructor<?> withMessage, Constructor<?> withCause, Class<?> causeType) {
        /** @return the rebuilt throwable, or {@code null} when this type cannot be rebuilt */
        Throwable create(String message, Throwable cause) {
            try {
                if (withMessage != null) {
                    Throwable t = (Throwable) withMessage.newInstance(message);
                    if (cause != null && t.getCause() == null) {
                        try {
                            t.initCause(cause);
                        } catch (IllegalStateException | IllegalArgumentException e) {
                            return null;
                        }
                    }
                    return t;
                }
                if (withCause != null && (cause == null || causeType.isInstance(cause))) {
                    return (Throwable) withCause.newInstance(message, cause);
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
            return null;
        }
    }
}
