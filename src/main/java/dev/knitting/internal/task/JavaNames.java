package dev.knitting.internal.task;

import java.util.regex.Pattern;

/**
 * Syntax checks for names that a pool hands to a worker as text and the worker resolves there:
 * class names of imported tasks and of the bootstrap, member names. Checking the syntax on the host
 * turns a typo into an {@link IllegalArgumentException} at the call site instead of a worker that
 * fails to start.
 */
public final class JavaNames {
    private static final String IDENTIFIER = "[\\p{L}_$][\\p{L}\\p{N}_$]*";
    private static final Pattern IDENTIFIER_PATTERN = Pattern.compile(IDENTIFIER);
    private static final Pattern QUALIFIED_PATTERN = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");
    /** Longest name accepted, far below what boot data and class files allow. */
    public static final int MAX_LENGTH = 1024;

    private JavaNames() {
    }

    /**
     * @return whether {@code name} is a binary class name such as {@code com.example.Tasks} or
     *         {@code com.example.Outer$Inner} (also accepts package names)
     */
    public static boolean isBinaryClassName(String name) {
        return name != null && name.length() <= MAX_LENGTH && QUALIFIED_PATTERN.matcher(name).matches();
    }

    /** @return whether {@code name} is a simple Java identifier, such as a field or method name */
    public static boolean isIdentifier(String name) {
        return name != null && name.length() <= MAX_LENGTH && IDENTIFIER_PATTERN.matcher(name).matches();
    }

    /** @return the package of a binary class name, {@code ""} for the unnamed package */
    public static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
