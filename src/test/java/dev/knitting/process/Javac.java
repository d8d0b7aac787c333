package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * Compiles sources at test time with the JDK's javac, found as a {@link ToolProvider} of
 * {@code java.base} (the tests compile as part of module {@code dev.knitting}, which does not read
 * {@code java.compiler}).
 */
public final class Javac {
    private Javac() {
    }

    /** Runs javac with these arguments; fails the test with javac's output if it does not succeed. */
    public static void compile(List<String> arguments) {
        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new AssertionError("no javac in this JDK (a JRE or a jlink image?)"));
        StringWriter log = new StringWriter();
        PrintWriter writer = new PrintWriter(log);
        int status = javac.run(writer, writer, arguments.toArray(String[]::new));
        writer.flush();
        assertThat(status).as("javac %s:%n%s", arguments, log).isZero();
    }
}
