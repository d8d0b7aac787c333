package dev.knitting.internal.observe;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * A pool's lifecycle and debug lines, through the {@link System.Logger} named {@value #NAME}. They
 * are logged at {@code DEBUG}, or at {@code INFO} when the pool's debug option (or {@code
 * KNITTING_DEBUG}) is on, so a default logging set-up shows them exactly then. Each line starts with
 * the pool's name in brackets. Lines are built only when the logger takes their level.
 */
public final class PoolLog {
    /** The logger's name. */
    public static final String NAME = "dev.knitting";

    private static final Logger LOGGER = System.getLogger(NAME);

    private final String pool;
    private final Level level;

    /**
     * @param pool the pool's name, at the start of every line
     * @param debug whether the lines are raised to {@code INFO}
     */
    public PoolLog(String pool, boolean debug) {
        this.pool = pool;
        this.level = debug ? Level.INFO : Level.DEBUG;
    }

    /** @return the level this pool's lines are logged at */
    public Level level() {
        return level;
    }

    /** Logs one line. */
    public void log(String message) {
        if (LOGGER.isLoggable(level)) {
            LOGGER.log(level, "[" + pool + "] " + message);
        }
    }
}
