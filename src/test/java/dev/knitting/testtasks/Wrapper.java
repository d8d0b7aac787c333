package dev.knitting.testtasks;

/**
 * A record holding any value: lets a test nest anything, supported or not, inside a record.
 *
 * @param value the wrapped value, possibly {@code null}
 */
public record Wrapper(Object value) {
}
