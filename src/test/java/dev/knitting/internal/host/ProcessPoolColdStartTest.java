package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold host JVM pays to start a PROCESS pool, besides the worker: before its first spawn it
 * checks names and numbers and writes the worker's boot data, which once compiled regular
 * expressions (some thirty JDK classes and a spun lambda) and formatted with {@code
 * String.format}. Read from the class-loading log of a fresh host JVM (the worker JVM keeps its
 * own options, so its classes are not in this log).
 */
class ProcessPoolColdStartTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void aProcessHostsFirstCallCompilesNoRegularExpressionAndFormatsNothing() throws IOException,
            InterruptedException {
        List<String> loaded = ThreadPoolColdStartTest.coldChildClassLog(dir, 150, "PROCESS");
        assertThat(loaded).as("the host's class loading log")
                .anyMatch(l -> l.contains(ProcessWorkerStarter.class.getName() + " "))
                .noneMatch(l -> l.contains("java.util.regex.Pattern "))
                .noneMatch(l -> l.contains("java.util.Formatter "));
    }
}
