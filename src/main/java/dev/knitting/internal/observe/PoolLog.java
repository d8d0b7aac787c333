package dev.knitting.internal.observe;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pool's lifecycle and debug lines, through the {@link System.Logger} named {@value #NAME}. They
 * are logged at {@code DEBUG}, or at {@code INFO} when the pool's debug option (or {@code
 * KNITTING_DEBUG}) is on, so a default logging set-up shows them exactly then. Each line starts with
 * the pool's name in brackets. Lines are built only when the logger takes their level.
 *
 * <p>The first question to the logger finds and configures the logging backend ({@code
 * java.util.logging} by default: its {@code LogManager}, its configuration file), about ten
 * milliseconds of a cold JVM. The first pool of a JVM asks it on a daemon thread while its workers
 * start ({@link #warmUp}), so the first line does not wait for it on the pool's start path; a line
 * logged before that ends waits for the same set-up, so no line is lost or decided differently.
 */
public final class PoolLog {
    /** The logger's name. */
    public static final String NAME = "dev.knitting";

    private static final AtomicBoolean WARMING = new AtomicBoolean();

    private final String pool;
    private final Level level;

    /**
     * @param pool the pool's name, at the start of every line
     * @param debug whether the lines are raised to {@code INFO}
     */
    public PoolLog(String pool, boolean debug) {
        this.pool = pool;
        this.level = debug ? Level.INFO : Level.DEBUG;
        warmUp();
    }

    /** @return the level this pool's lines are logged at */
    public Level level() {
        return level;
    }

    /** @return whether the logger takes this pool's lines: build a line only then */
    public boolean enabled() {
        return Backend.LOGGER.isLoggable(level);
    }

    /** Logs one line. */
    public void log(String message) {
        Logger logger = Backend.LOGGER;
        if (logger.isLoggable(level)) {
            logger.log(level, "[" + pool + "] " + message);
        }
    }

    /**
     * The logger, made when first used: {@code System.getLogger} of an application's class finds
     * and sets up the backend at once. A thread that uses it while the warm-up thread makes it
     * waits for that (class initialization), and then has the same logger.
     */
    private static final class Backend {
        static final Logger LOGGER = System.getLogger(NAME);
    }

    /** Once per JVM: makes the logger and asks it on a daemon thread, which sets up the logging backend. */
    private static void warmUp() {
        if (WARMING.get() || !WARMING.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread warm = new Thread(new WarmUp(), "knitting-log-setup");
            warm.setDaemon(true);
            warm.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // no thread (resource limits): the first line sets the backend up itself
        }
    }

    /** The daemon thread's one question. */
    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            try {
                Backend.LOGGER.isLoggable(Level.DEBUG);
            } catch (RuntimeException | LinkageError e) {
                // a broken backend fails the pool's own lines the same way, where that is dropped
            }
        }
    }
}
