package dev.knitting;

import java.io.Serializable;

/**
 * A bare task: a method reference to a public static method with one parameter of a public class,
 * such as {@code Tasks::cube}. The pool identifies the method from the reference, so a worker in
 * another JVM can find the same method. Inline lambdas are rejected.
 *
 * @param <A> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface TaskFunction<A, R> extends Serializable {
    /**
     * Runs the task on one argument.
     *
     * @param argument the call's argument
     * @return the call's result
     * @throws Exception any exception, which completes the call exceptionally
     */
    R apply(A argument) throws Exception;
}
