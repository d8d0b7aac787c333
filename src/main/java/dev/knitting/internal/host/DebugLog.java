package dev.knitting.internal.host;

/** Lifecycle lines on standard error when the pool's debug option (or {@code KNITTING_DEBUG}) is on. */
final class DebugLog {
    private final boolean enabled;
    private final String pool;

    DebugLog(boolean enabled, String pool) {
        this.enabled = enabled;
        this.pool = pool;
    }

    void log(String message) {
        if (enabled) {
            System.err.println("[knitting " + pool + "] " + message);
        }
    }
}
