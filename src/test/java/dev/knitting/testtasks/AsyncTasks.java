package dev.knitting.testtasks;

import dev.knitting.Task;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asynchronous tasks. The gate tasks work across processes: {@link #WAIT_FOR_RELEASE} parks a stage
 * in the worker and a later call of {@link #RELEASE} on the same worker completes it.
 */
public final class AsyncTasks {
    private static final Map<String, CompletableFuture<String>> GATES = new ConcurrentHashMap<>();

    /** Completes with {@code 2 * v} about 20 ms later, on another thread of the worker's JVM. */
    public static final Task<Integer, Integer> DOUBLE_LATER = Task.async(v -> CompletableFuture.supplyAsync(
            () -> 2 * v, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)));
    /** Completes with {@code "released " + token} once {@link #RELEASE} is called with the same token. */
    public static final Task<String, String> WAIT_FOR_RELEASE = Task.async(token -> gate(token).thenApply(v -> v));
    /** Opens the gate of {@link #WAIT_FOR_RELEASE}; returns whether this call opened it. */
    public static final Task<String, Boolean> RELEASE = Task.of(token -> gate(token).complete("released " + token));
    /** Returns a stage that fails later with {@link IllegalStateException}(message), thrown in {@code supplyAsync}. */
    public static final Task<String, String> FAIL_LATER = Task.async(message -> CompletableFuture.supplyAsync(() -> {
        throw new IllegalStateException(message);
    }, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)));
    /** Returns a stage already failed with {@link IllegalStateException}(message). */
    public static final Task<String, String> FAIL_NOW = Task.async(message ->
            CompletableFuture.failedFuture(new IllegalStateException(message)));
    /** Throws {@link IllegalStateException}(message) before returning any stage. */
    public static final Task<String, String> THROW_BEFORE_STAGE = Task.async(message -> {
        throw new IllegalStateException(message);
    });
    /** Returns a stage that never completes. */
    public static final Task<String, String> NEVER = Task.async(ignored -> new CompletableFuture<>());
    /** {@link #NEVER} behind a 200 ms timeout that completes the call with {@code "fallback"}. */
    public static final Task<String, String> NEVER_TIMEOUT_FALLBACK = NEVER.timeout(Duration.ofMillis(200), "fallback");

    private AsyncTasks() {
    }

    /**
     * A bare asynchronous task, called by method reference.
     *
     * @param v the value
     * @return a stage completing with {@code 3 * v}
     */
    public static CompletableFuture<Integer> tripleLater(int v) {
        return CompletableFuture.supplyAsync(() -> 3 * v, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
    }

    private static CompletableFuture<String> gate(String token) {
        return GATES.computeIfAbsent(token, k -> new CompletableFuture<>());
    }
}
