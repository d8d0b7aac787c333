package dev.knitting.internal.task;

/**
 * One row of a task table.
 *
 * @param id the index used on the wire
 * @param name {@code pkg.Class#FIELD} for a task field, {@code pkg.Class::method(desc)ret} for a
 *        bare method; the same in every JVM that loads the same classes
 * @param definition how to run it
 * @param declaringClass the class that exports it
 */
public record TaskEntry(int id, String name, TaskDefinition definition, Class<?> declaringClass) {
}
