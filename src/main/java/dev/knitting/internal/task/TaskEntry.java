package dev.knitting.internal.task;

/**
 * One row of a task table.
 *
 * @param id the index used on the wire
 * @param name {@code pkg.Class#FIELD} for a task field, {@code pkg.Class::method(desc)ret} for a
 *        bare method, {@code import:pkg.Class#member} for an imported task; the same in every JVM
 *        that loads the same classes
 * @param definition how to run it (for an imported task on the host, its stand-in; on a worker,
 *        what it resolved to)
 * @param declaringClass the class that exports it; {@code null} for an imported task on the host
 * @param imported whether it is an imported task: it never runs on the inline lane
 */
public record TaskEntry(int id, String name, TaskDefinition definition, Class<?> declaringClass, boolean imported) {
}
