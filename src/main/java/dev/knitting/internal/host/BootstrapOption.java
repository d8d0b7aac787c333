package dev.knitting.internal.host;

/**
 * The pool's bootstrap as configured ({@code PoolBuilder.bootstrap}): {@code className.method(data)}
 * runs once on every worker before it resolves its tasks. The names are checked by the builder;
 * the data is checked at {@code start}, when the pool's payload rules are known
 * ({@link BootstrapHandoff}).
 *
 * @param className binary name of the bootstrap class, loaded only by workers
 * @param method a public static method with one parameter (receives the data) or none
 * @param data any payload value, {@code null} included
 */
public record BootstrapOption(String className, String method, Object data) {
}
