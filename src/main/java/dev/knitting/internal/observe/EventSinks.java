package dev.knitting.internal.observe;

import java.util.Optional;

/**
 * Picks the {@link EventSink} once per JVM. {@code dev.knitting} requires {@code jdk.jfr} only
 * statically, so a runtime image may lack it, and a module-path application may leave it out of
 * the boot layer (unless it adds {@code --add-modules jdk.jfr}; {@code -XX:StartFlightRecording}
 * adds it): then no class that extends {@code jdk.jfr.Event} may ever be loaded, and the pool
 * reports nothing. The JFR sink is reached through a static call only, so neither loading nor
 * verifying this class loads it.
 */
final class EventSinks {
    static final EventSink SINK;
    static final String REASON;

    static {
        EventSink sink = NoEventSink.INSTANCE;
        String reason;
        Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
        if (jfr.isEmpty()) {
            reason = "no JFR events: module jdk.jfr is not in the boot layer (add --add-modules jdk.jfr)";
        } else {
            try {
                Module self = EventSinks.class.getModule();
                if (self.isNamed() && !self.canRead(jfr.get())) {
                    self.addReads(jfr.get());
                }
                sink = JfrEventSink.create();
                reason = "JFR events: dev.knitting.* (Call, WorkerStart, WorkerExit, WorkerCrash,"
                        + " WorkerReplacement, PoolStatistics)";
            } catch (RuntimeException | LinkageError e) {
                reason = "no JFR events: setting up the JFR sink failed: " + e;
            }
        }
        SINK = sink;
        REASON = reason;
    }

    private EventSinks() {
    }
}
