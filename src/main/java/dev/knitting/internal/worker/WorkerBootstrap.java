package dev.knitting.internal.worker;

import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MpscRing;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's bootstrap on one worker: takes its data from the lane and calls the bootstrap method
 * once, before the worker resolves any task class, so the bootstrap can prepare what those classes
 * need when they initialise (a native library, a logging set-up, a model loaded once per worker).
 *
 * <p>Why the data comes through the request ring: it is any payload value, possibly larger than an
 * environment variable holds (boot data shares Linux's 128 KiB limit), and the ring already carries
 * any size in fragments with bounded memory. The host sends it as the {@code BOOTSTRAP} message,
 * the first message of a fresh lane, to thread and process workers alike; the worker reads it before
 * it publishes READY, so no call can be in the ring before it.
 */
final class WorkerBootstrap {
    private WorkerBootstrap() {
    }

    /**
     * Receives the bootstrap data and runs the bootstrap.
     *
     * @throws KnittingException if the data cannot be read, the bootstrap cannot be found, or it throws
     */
    static void run(WorkerSpec spec, Lane lane, MessageReceiver receiver, PayloadDecoder decoder, ClassLoader loader) {
        Object data = receiveData(spec, lane, receiver, decoder);
        invoke(spec.workerIndex(), spec.bootstrapClass(), spec.bootstrapMethod(), data, loader);
    }

    /** Waits for the BOOTSTRAP message, which must be the first message of the request ring. */
    private static Object receiveData(WorkerSpec spec, Lane lane, MessageReceiver receiver, PayloadDecoder decoder) {
        Object[] data = new Object[1];
        boolean[] received = new boolean[1];
        MpscRing requests = lane.requests();
        IdleStrategy idle = new IdleStrategy(spec.idle());
        long parkSlice = spec.idle().maxPark().toNanos();
        while (!received[0]) {
            int taken = receiver.poll((type, callId, code, abortSlot, payload) -> {
                if (type != MessageDescriptor.BOOTSTRAP) {
                    throw new ProtocolException("worker " + spec.workerIndex() + " expected the bootstrap data first in"
                            + " its request ring, got a message of type " + type);
                }
                data[0] = decodeData(spec.workerIndex(), decoder, payload);
                received[0] = true;
            }, 1);
            if (taken == 0 && !received[0]) {
                if (lane.hostState() != LaneDescriptor.HOST_RUNNING) {
                    throw new KnittingException("worker " + spec.workerIndex()
                            + ": the host stopped before it sent the bootstrap data");
                }
                idle.await(() -> requests.hasCommittedRecord() || lane.hostState() != LaneDescriptor.HOST_RUNNING,
                        requests.dataDoorbell(), parkSlice);
            }
        }
        return data[0];
    }

    /**
     * The one place bootstrap data is decoded: with the worker's ordinary {@link PayloadDecoder},
     * exactly like a call's argument, so every payload type a call may carry works here too.
     */
    private static Object decodeData(int workerIndex, PayloadDecoder decoder, MemorySegment payload) {
        try {
            Object data = decoder.decode(payload);
            // Shared buffers in the data are not closed after the bootstrap: it may keep them for the
            // worker's lifetime (a buffer nobody keeps is unmapped once unreachable).
            decoder.takeReceived();
            return data;
        } catch (KnittingException e) {
            throw new KnittingException("worker " + workerIndex + ": the bootstrap data cannot be decoded: "
                    + e.getMessage(), e);
        }
    }

    /** Loads the bootstrap class with the worker's loader and calls the method with the data. */
    private static void invoke(int workerIndex, String className, String methodName, Object data, ClassLoader loader) {
        String what = "worker " + workerIndex + ": bootstrap " + className + "." + methodName;
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new KnittingException(what + ": class " + className + " cannot be loaded on the worker (is it on the"
                    + " worker class path? see workerClassPath): " + describe(e), e);
        }
        Method method = find(what, type, methodName);
        MethodHandle handle;
        try {
            handle = MethodHandles.publicLookup().unreflect(method);
        } catch (IllegalAccessException e) {
            throw new KnittingException(what + ": " + method + " is not accessible (is its class public and its"
                    + " package exported?): " + e.getMessage(), e);
        }
        if (method.getParameterCount() == 1 && !accepts(handle.type().parameterType(0), data)) {
            throw new KnittingException(what + ": " + method + " cannot take the bootstrap data, a "
                    + data.getClass().getName());
        }
        try {
            if (method.getParameterCount() == 0) {
                handle.invoke();
            } else {
                handle.invoke(data);
            }
        } catch (Throwable t) {
            throw new KnittingException(what + " threw " + t, t);
        }
    }

    private static Method find(String what, Class<?> type, String methodName) {
        List<Method> found = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (m.getName().equals(methodName) && Modifier.isStatic(mod) && Modifier.isPublic(mod) && !m.isSynthetic()
                    && !m.isBridge() && m.getParameterCount() <= 1) {
                found.add(m);
            }
        }
        if (found.isEmpty()) {
            throw new KnittingException(what + ": class " + type.getName() + " has no public static method "
                    + methodName + " with one parameter or none");
        }
        if (found.size() > 1) {
            throw new KnittingException(what + " is ambiguous: class " + type.getName() + " has " + found.size()
                    + " public static methods " + methodName + " with one parameter or none "
                    + found.stream().map(Method::toGenericString).sorted().toList() + "; keep one");
        }
        return found.getFirst();
    }

    private static boolean accepts(Class<?> parameter, Object data) {
        return data == null ? !parameter.isPrimitive() : MethodType.methodType(parameter).wrap().returnType().isInstance(data);
    }

    private static String describe(Throwable e) {
        return e instanceof ExceptionInInitializerError && e.getCause() != null
                ? "its static initializer threw " + e.getCause() : e.toString();
    }
}
