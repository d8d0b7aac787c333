package dev.knitting.testtasks;

/** A record without components. */
public record Unit() {
}
