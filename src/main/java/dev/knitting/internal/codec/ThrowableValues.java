package dev.knitting.internal.codec;

import dev.knitting.ProtocolException;
import dev.knitting.RemoteTaskException;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * Both directions of the throwable family ({@link Tags#THROWABLE}, {@link Tags#THROWABLE_REF}):
 * class name, message, stack, cause and suppressed throwables. Throwables are numbered per payload,
 * so a throwable met again (a repeat, or a cause cycle) travels as a reference to its number.
 * One {@link Writer} per encoder and one {@link Reader} per decoder; not thread-safe.
 */
final class ThrowableValues {
    /** Smallest encoded stack frame: 3 x NULL, 2 x empty string, NULL, i32. */
    static final int MIN_FRAME_BYTES = 3 + 5 + 5 + 1 + 4;

    private ThrowableValues() {
    }

    /** The encoder's side: numbers the throwables of one payload. */
    static final class Writer {
        private final PayloadEncoder encoder;
        private IdentityHashMap<Throwable, Integer> numbers;

        Writer(PayloadEncoder encoder) {
            this.encoder = encoder;
        }

        /** Forgets the last payload's throwables. */
        void reset() {
            numbers = null;
        }

        void write(Throwable t) {
            EncodeBuffer out = encoder.out();
            if (numbers == null) {
                numbers = new IdentityHashMap<>();
            } else {
                Integer seen = numbers.get(t);
                if (seen != null) {
                    out.writeInt(Tags.THROWABLE_REF, seen);
                    return;
                }
            }
            numbers.put(t, numbers.size());
            encoder.enter(t);
            out.tag(Tags.THROWABLE);
            if (t.getClass() == RemoteTaskException.class) {
                RemoteTaskException r = (RemoteTaskException) t;
                out.writeString(r.remoteClassName());
                out.writeNullableString(r.remoteMessage());
            } else {
                out.writeString(t.getClass().getName());
                out.writeNullableString(t.getMessage());
            }
            StackTraceElement[] stack = t.getStackTrace();
            out.writeCount(stack.length);
            for (StackTraceElement e : stack) {
                out.writeNullableString(e.getClassLoaderName());
                out.writeNullableString(e.getModuleName());
                out.writeNullableString(e.getModuleVersion());
                out.writeString(e.getClassName());
                out.writeString(e.getMethodName());
                out.writeNullableString(e.getFileName());
                out.raw32(e.getLineNumber());
            }
            Throwable cause = t.getCause();
            if (cause == null) {
                out.tag(Tags.NULL);
            } else {
                write(cause);
            }
            Throwable[] suppressed = t.getSuppressed();
            out.writeCount(suppressed.length);
            for (Throwable s : suppressed) {
                write(s);
            }
            encoder.leave();
        }
    }

    /** The decoder's side: the throwables of one payload by number, for references. */
    static final class Reader {
        private final PayloadDecoder decoder;
        private Throwable[] table;
        private int count;

        Reader(PayloadDecoder decoder) {
            this.decoder = decoder;
        }

        /** Forgets the last payload's throwables (and drops the references to them). */
        void reset() {
            if (table != null) {
                Arrays.fill(table, 0, Math.min(count, table.length), null);
            }
            count = 0;
        }

        /** Reads a throwable whose {@link Tags#THROWABLE} tag was just read. */
        Throwable read() {
            DecodeCursor cur = decoder.cursor();
            decoder.enter();
            int index = count++;
            if (table == null) {
                table = new Throwable[4];
            } else if (index == table.length) {
                table = Arrays.copyOf(table, index * 2);
            }
            table[index] = null;
            String className = cur.string();
            String message = cur.nullableString();
            int frames = cur.count(MIN_FRAME_BYTES, Tags.THROWABLE);
            StackTraceElement[] stack = new StackTraceElement[Math.min(frames, ContainerValues.MAX_PRESIZE)];
            for (int i = 0; i < frames; i++) {
                stack = ContainerValues.room(stack, i, frames);
                String loader = cur.nullableString();
                String module = cur.nullableString();
                String version = cur.nullableString();
                String declaringClass = cur.string();
                String method = cur.string();
                String file = cur.nullableString();
                stack[i] = new StackTraceElement(loader, module, version, declaringClass, method, file, cur.i32());
            }
            Throwable cause = readOrNull(true);
            Throwable t = ThrowableTypes.rebuild(className, message, cause);
            t.setStackTrace(stack);
            table[index] = t;
            int suppressed = cur.count(1, Tags.THROWABLE);
            for (int i = 0; i < suppressed; i++) {
                Throwable s = readOrNull(false);
                if (s != null && s != t) {
                    t.addSuppressed(s);
                }
            }
            decoder.leave();
            return t;
        }

        private Throwable readOrNull(boolean nullAllowed) {
            DecodeCursor cur = decoder.cursor();
            byte tag = cur.u8tag();
            return switch (tag) {
                case Tags.THROWABLE -> read();
                case Tags.THROWABLE_REF -> readRef();
                case Tags.NULL -> {
                    if (!nullAllowed) {
                        throw new ProtocolException("NULL suppressed throwable at offset " + (cur.pos - 1));
                    }
                    yield null;
                }
                default -> throw new ProtocolException("expected a throwable at offset " + (cur.pos - 1)
                        + " but found tag " + Tags.name(tag));
            };
        }

        /**
         * Reads a reference whose {@link Tags#THROWABLE_REF} tag was just read.
         *
         * @return the referenced throwable, or {@code null} when it is still being decoded (a cycle)
         */
        Throwable readRef() {
            DecodeCursor cur = decoder.cursor();
            long at = cur.pos;
            int index = cur.i32();
            if (index < 0 || index >= count) {
                throw new ProtocolException("THROWABLE_REF " + Integer.toUnsignedString(index) + " at offset " + at
                        + " but only " + count + " throwables precede it");
            }
            return table[index];
        }
    }
}
