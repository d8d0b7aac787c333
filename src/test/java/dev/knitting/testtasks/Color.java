package dev.knitting.testtasks;

/** An enum payload; {@link #GREEN} has a constant body, so its class is an anonymous subclass. */
public enum Color {
    /** Plain constant. */
    RED,
    /** Constant with a body. */
    GREEN {
        @Override
        public String toString() {
            return "green (with a body)";
        }
    },
    /** Plain constant. */
    BLUE
}
