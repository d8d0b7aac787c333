package dev.knitting.internal.task;

import dev.knitting.Task;
import dev.knitting.TaskCall;

/**
 * The internals' view of API objects whose state is not public (the JDK's "shared secrets"
 * pattern): the API classes register an implementation from their static initializers, so the
 * exported API carries no internal types in its signatures.
 */
public interface ApiAccess {
    /** @return the definition behind a task */
    TaskDefinition definition(Task<?, ?> task);

    /** @return a new, incomplete call bound to the runtime's control */
    <R> TaskCall<R> newCall(CallControl control);

    /** @return the registered access, initialising the API classes if needed */
    static ApiAccess get() {
        ApiAccess access = Holder.access;
        if (access == null) {
            try {
                Class.forName(Task.class.getName(), true, Task.class.getClassLoader());
                Class.forName(TaskCall.class.getName(), true, TaskCall.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = Holder.access;
        }
        return access;
    }

    /** Called once by the API classes. */
    static void register(ApiAccess access) {
        Holder.access = access;
    }

    /** Holds the registered instance. */
    final class Holder {
        static volatile ApiAccess access;

        private Holder() {
        }
    }
}
