package dev.knitting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.testtasks.EchoTasks;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every option is checked when it is set, and its error names the option and the value. */
final class PoolBuilderValidationTest {

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of("threads(-1)", (Consumer<PoolBuilder>) b -> b.threads(-1), "threads=-1"),
                Arguments.of("threads(1025)", (Consumer<PoolBuilder>) b -> b.threads(1025), "threads=1025"),
                Arguments.of("maxPayloadBytes(0)", (Consumer<PoolBuilder>) b -> b.maxPayloadBytes(0), "maxPayloadBytes=0"),
                Arguments.of("maxPayloadBytes(-5)", (Consumer<PoolBuilder>) b -> b.maxPayloadBytes(-5), "maxPayloadBytes=-5"),
                Arguments.of("laneCapacity(5000)", (Consumer<PoolBuilder>) b -> b.laneCapacity(5000), "laneCapacity=5000"),
                Arguments.of("laneCapacity(2048)", (Consumer<PoolBuilder>) b -> b.laneCapacity(2048), "laneCapacity=2048"),
                Arguments.of("abortSignalCapacity(0)", (Consumer<PoolBuilder>) b -> b.abortSignalCapacity(0),
                        "abortSignalCapacity=0"),
                Arguments.of("hardTimeout(ZERO)", (Consumer<PoolBuilder>) b -> b.hardTimeout(Duration.ZERO),
                        "hardTimeout=PT0S"),
                Arguments.of("hardTimeout(-1s)", (Consumer<PoolBuilder>) b -> b.hardTimeout(Duration.ofSeconds(-1)),
                        "hardTimeout=PT-1S"),
                Arguments.of("inlineLane(0)", (Consumer<PoolBuilder>) b -> b.inlineLane(0), "inlineLane"),
                Arguments.of("allowPackages(\"not a package\")",
                        (Consumer<PoolBuilder>) b -> b.allowPackages("not a package"), "not a package"),
                Arguments.of("bootstrap(bad class)", (Consumer<PoolBuilder>) b -> b.bootstrap("com..Boot", "init", null),
                        "bootstrap className=com..Boot"),
                Arguments.of("bootstrap(null class)", (Consumer<PoolBuilder>) b -> b.bootstrap(null, "init", null),
                        "bootstrap className=null"),
                Arguments.of("bootstrap(bad method)", (Consumer<PoolBuilder>) b -> b.bootstrap("a.Boot", "in it", 1),
                        "bootstrap method=in it"),
                Arguments.of("bootstrap(empty method)", (Consumer<PoolBuilder>) b -> b.bootstrap("a.Boot", "", 1),
                        "bootstrap method="),
                Arguments.of("workerClassPath(blank)",
                        (Consumer<PoolBuilder>) b -> b.workerClassPath(java.nio.file.Path.of(" ")), "workerClassPath"));
    }

    static Stream<Arguments> badImports() {
        return Stream.of(
                Arguments.of("com.example..Plugin", "run", "className=com.example..Plugin"),
                Arguments.of("1com.example.Plugin", "run", "className=1com.example.Plugin"),
                Arguments.of(null, "run", "className=null"),
                Arguments.of("com.example.Plugin", "run()", "member=run()"),
                Arguments.of("com.example.Plugin", "", "member="),
                Arguments.of("com.example.Plugin", null, "member=null"));
    }

    @ParameterizedTest(name = "Task.imported({0}, {1})")
    @MethodSource("badImports")
    @Timeout(10)
    void shouldRejectABadImportAtOnceNamingTheArgument(String className, String member, String named) {
        assertThatThrownBy(() -> Task.imported(className, member)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    @Test
    @Timeout(10)
    void shouldRefuseABootstrapWithTheInlineLaneAtStart() {
        PoolBuilder builder = Knitting.pool().threads(1).inlineLane(4).bootstrap("com.example.Boot", "init", "data");

        assertThatThrownBy(() -> builder.start(EchoTasks.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bootstrap").hasMessageContaining("inline lane");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    @Timeout(10)
    void shouldRejectABadOptionAtOnceNamingOptionAndValue(String name, Consumer<PoolBuilder> setter, String named) {
        PoolBuilder builder = Knitting.pool();

        assertThatThrownBy(() -> setter.accept(builder)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    @Test
    @Timeout(10)
    void shouldNameTheInlineThresholdValue() {
        assertThatThrownBy(() -> Knitting.pool().inlineLane(0)).hasMessageContaining("0");
    }

    @Test
    @Timeout(10)
    void shouldRejectNullOptionsWithTheirName() {
        assertThatThrownBy(() -> Knitting.pool().runtime(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("runtime");
        assertThatThrownBy(() -> Knitting.pool().balancer(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("balancer");
        assertThatThrownBy(() -> Knitting.pool().hardTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("hardTimeout");
        assertThatThrownBy(() -> Knitting.pool().idle(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("idle");
    }

    @Test
    @Timeout(10)
    void shouldAcceptTheBoundaryValues() {
        PoolBuilder builder = Knitting.pool().threads(0).threads(1024).maxPayloadBytes(1).laneCapacity(4096)
                .laneCapacity(1 << 30).abortSignalCapacity(1).hardTimeout(Duration.ofNanos(1)).inlineLane(1)
                .allowPackages("a.b", "c");

        assertThat(builder).isNotNull();
    }

    @Test
    @Timeout(10)
    void shouldRejectBadTaskTimeoutsAndIdlePolicies() {
        assertThatThrownBy(() -> EchoTasks.SQUARE.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=PT0S");
        assertThatThrownBy(() -> EchoTasks.SQUARE.timeout(Duration.ofMillis(-1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=");
        assertThatThrownBy(() -> new IdlePolicy(Duration.ofNanos(-1), 0, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spin=");
        assertThatThrownBy(() -> new IdlePolicy(Duration.ZERO, -1, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yields=-1");
        assertThatThrownBy(() -> new IdlePolicy(Duration.ZERO, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPark=");
    }
}
