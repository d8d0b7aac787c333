package dev.knitting.internal.codec;

import dev.knitting.AbortCapacityException;
import dev.knitting.PayloadException;
import dev.knitting.PoolClosedException;
import dev.knitting.ProtocolException;
import dev.knitting.RemoteTaskException;
import dev.knitting.TaskTimeoutException;
import dev.knitting.WorkerCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.stream.Stream;

import static dev.knitting.internal.codec.CodecFixtures.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

class ThrowableCodecTest {

    /** A task's own exception type: not rebuilt, arrives as RemoteTaskException. */
    static final class CustomFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CustomFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static Throwable thrown(Throwable t) {
        try {
            throw t;
        } catch (Throwable caught) {
            return caught;
        }
    }

    @Test
    void jdkExceptionsAreRebuiltAsThemselvesWithCauseSuppressedAndRemoteStack() {
        IOException io = (IOException) thrown(new IOException("disk on fire"));
        IllegalArgumentException iae = new IllegalArgumentException("bad argument", io);
        IllegalStateException suppressed = new IllegalStateException("while closing");
        iae.addSuppressed(suppressed);

        Throwable decoded = (Throwable) roundTrip(iae);

        assertThat(decoded).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad argument");
        assertThat(decoded.getStackTrace()).isEqualTo(iae.getStackTrace());
        assertThat(decoded.getCause()).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
        assertThat(decoded.getCause().getStackTrace()).isEqualTo(io.getStackTrace());
        assertThat(decoded.getSuppressed()).hasSize(1);
        assertThat(decoded.getSuppressed()[0]).isExactlyInstanceOf(IllegalStateException.class).hasMessage("while closing");
        assertThat(decoded.getSuppressed()[0].getStackTrace()).isEqualTo(suppressed.getStackTrace());
    }

    @Test
    void customExceptionsArriveAsRemoteTaskExceptionWithClassNameMessageAndStack() {
        CustomFailure custom = (CustomFailure) thrown(new CustomFailure("it broke", new ArithmeticException("/ by zero")));

        Throwable decoded = (Throwable) roundTrip(custom);

        assertThat(decoded).isExactlyInstanceOf(RemoteTaskException.class);
        RemoteTaskException remote = (RemoteTaskException) decoded;
        assertThat(remote.remoteClassName()).isEqualTo(CustomFailure.class.getName());
        assertThat(remote.remoteMessage()).isEqualTo("it broke");
        assertThat(remote.getStackTrace()).isEqualTo(custom.getStackTrace());
        assertThat(remote.getCause()).isExactlyInstanceOf(ArithmeticException.class).hasMessage("/ by zero");
    }

    @Test
    void remoteTaskExceptionsTravelAsTheOriginalRemoteType() {
        RemoteTaskException remote = new RemoteTaskException("com.example.Boom", null);
        RemoteTaskException decoded = (RemoteTaskException) roundTrip(remote);
        assertThat(decoded.remoteClassName()).isEqualTo("com.example.Boom");
        assertThat(decoded.remoteMessage()).isNull();
        assertThat((Throwable) roundTrip(new RemoteTaskException("java.lang.IllegalStateException", "m")))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("m");
    }

    static Stream<Throwable> rebuiltAsThemselves() {
        return Stream.of(new NullPointerException(), new ArithmeticException("x"),
                new UncheckedIOException("wrapped", new IOException("inner")), new ConcurrentModificationException("cme"),
                new java.util.concurrent.TimeoutException("late"), new PayloadException("too big"),
                new Exception("plain", new RuntimeException("inner")), new Throwable((String) null));
    }

    /** Failures that would mean something about the caller's own JVM or pool, not the task. */
    static Stream<Throwable> neverRebuiltAsThemselves() {
        return Stream.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(), new Error("fatal"),
                new AssertionError("assumed"), new InternalError("vm"), new LinkageError("missing"),
                new PoolClosedException("pool closed"), new WorkerCrashedException("crashed", 1, null, "", new IllegalStateException("inner")),
                new TaskTimeoutException("late"), new ProtocolException("lane corrupt"),
                new AbortCapacityException("no slots"), new RemoteTaskException("java.lang.OutOfMemoryError", "forged"),
                new RemoteTaskException("dev.knitting.PoolClosedException", "forged"));
    }

    @ParameterizedTest
    @MethodSource("neverRebuiltAsThemselves")
    void errorsAndTheLibrarysOwnExceptionsArriveAsRemoteTaskExceptionsNamingTheRemoteClass(Throwable t) {
        if (t.getCause() == null && !(t instanceof RemoteTaskException) && !(t instanceof WorkerCrashedException)) {
            t.initCause(new IllegalStateException("inner"));
        }
        String remoteClass = t instanceof RemoteTaskException r ? r.remoteClassName() : t.getClass().getName();
        String remoteMessage = t instanceof RemoteTaskException r ? r.remoteMessage() : t.getMessage();

        Throwable decoded = (Throwable) roundTrip(t);

        assertThat(decoded).isExactlyInstanceOf(RemoteTaskException.class);
        RemoteTaskException remote = (RemoteTaskException) decoded;
        assertThat(remote.remoteClassName()).isEqualTo(remoteClass);
        assertThat(remote.remoteMessage()).isEqualTo(remoteMessage);
        assertThat(remote.getStackTrace()).isEqualTo(t.getStackTrace());
        if (t.getCause() != null) {
            assertThat(remote.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("inner");
        }
    }

    @ParameterizedTest
    @MethodSource("rebuiltAsThemselves")
    void publicJavaBaseAndKnittingTypesAreRebuiltAsThemselves(Throwable t) {
        Throwable decoded = (Throwable) roundTrip(t);
        assertThat(decoded).isExactlyInstanceOf(t.getClass());
        assertThat(decoded.getMessage()).isEqualTo(t.getMessage());
        assertThat(decoded.getStackTrace()).isEqualTo(t.getStackTrace());
        if (t.getCause() != null) {
            assertThat(decoded.getCause()).isExactlyInstanceOf(t.getCause().getClass()).hasMessage(t.getCause().getMessage());
        }
    }

    @Test
    void typesOutsideJavaPackagesArriveAsRemoteEvenWhenTheyExist() {
        RemoteTaskException decoded = (RemoteTaskException) roundTrip(new RemoteTaskException("jdk.internal.misc.Foo", "m"));
        assertThat(decoded.remoteClassName()).isEqualTo("jdk.internal.misc.Foo");
        assertThat(roundTrip(new RemoteTaskException("java.lang.NoSuchThing", "m")))
                .isExactlyInstanceOf(RemoteTaskException.class);
        assertThat(roundTrip(new RemoteTaskException("java.lang.Number", "m")))
                .as("not a throwable").isExactlyInstanceOf(RemoteTaskException.class);
    }

    @Test
    void causeCyclesAreCutInsteadOfLooping() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b");
        a.initCause(b);
        b.initCause(a);
        Throwable decoded = (Throwable) roundTrip(a);
        assertThat(decoded).hasMessage("a");
        assertThat(decoded.getCause()).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("b");
        assertThat(decoded.getCause().getCause()).isNull();
    }

    @Test
    void suppressedReferringBackToAnAlreadyBuiltAncestorKeepsTheSameShape() {
        IllegalStateException outer = new IllegalStateException("outer");
        IllegalArgumentException inner = new IllegalArgumentException("inner");
        outer.addSuppressed(inner);
        inner.addSuppressed(outer);
        Throwable decoded = (Throwable) roundTrip(outer);
        assertThat(decoded.getSuppressed()).hasSize(1);
        assertThat(decoded.getSuppressed()[0].getSuppressed()).containsExactly(decoded);
    }

    @Test
    void theSameThrowableTwiceInOnePayloadDecodesAsOneObject() {
        IllegalStateException shared = new IllegalStateException("shared");
        RuntimeException wrapper = new RuntimeException("wrapper", shared);
        wrapper.addSuppressed(shared);
        List<?> decoded = (List<?>) roundTrip(List.of(shared, wrapper, shared));
        assertThat(decoded.get(0)).isSameAs(decoded.get(2));
        Throwable w = (Throwable) decoded.get(1);
        assertThat(w.getCause()).isSameAs(decoded.get(0));
        assertThat(w.getSuppressed()[0]).isSameAs(decoded.get(0));
    }

    @Test
    void deepStackTracesKeepEveryFrameIncludingModuleInformation() {
        StackOverflowError deep = new StackOverflowError("deep");
        StackTraceElement[] frames = new StackTraceElement[2000];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new StackTraceElement(i % 2 == 0 ? "app" : null, "mod.x", "1.0", "com.example.C" + i, "m\u20ac",
                    i % 3 == 0 ? null : "C.java", i - 3);
        }
        deep.setStackTrace(frames);
        Throwable decoded = (Throwable) roundTrip(deep);
        assertThat(decoded).isExactlyInstanceOf(RemoteTaskException.class);
        assertThat(((RemoteTaskException) decoded).remoteClassName()).isEqualTo(StackOverflowError.class.getName());
        assertThat(decoded.getStackTrace()).isEqualTo(frames);
    }
}
