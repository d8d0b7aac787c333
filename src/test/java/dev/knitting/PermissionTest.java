package dev.knitting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.testtasks.EchoTasks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PermissionTest {
    @Test
    void grantsReturnNewValuesAndLeaveTheOriginalUnchanged() {
        Permission strict = Permission.strict();
        Permission granted = strict.allowNetwork().allowEnv("HOME");

        assertThat(strict).isEqualTo(Permission.strict());
        assertThat(strict.network()).isFalse();
        assertThat(granted.network()).isTrue();
        assertThat(granted.environment()).containsExactly("HOME");
        assertThat(granted).isNotEqualTo(strict).isEqualTo(Permission.strict().allowEnv("HOME").allowNetwork());
    }

    @Test
    void toStringReadsAsTheExpressionThatBuildsIt() {
        Permission p = Permission.strict().allowRead(Path.of("/data")).allowWrite(Path.of("/out")).allowEnv("A", "B")
                .allowNetwork().allowExec();

        assertThat(p).hasToString("Permission.strict().allowRead(/data).allowWrite(/out).allowEnv(A, B)"
                + ".allowNetwork().allowExec()");
        assertThat(Permission.unsafe()).hasToString("Permission.unsafe()");
        assertThat(Permission.strict()).hasToString("Permission.strict()");
    }

    @Test
    void pathsAreMadeAbsoluteAndNormalisedWhenGranted() {
        Permission p = Permission.strict().allowRead(Path.of("a/../b"));

        assertThat(p.reads()).containsExactly(Path.of("b").toAbsolutePath());
    }

    @Test
    void aGrantGivenTwiceIsKeptOnce() {
        assertThat(Permission.strict().allowEnv("X").allowEnv("X", "Y").environment()).containsExactly("X", "Y");
    }

    @Test
    void badGrantsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> Permission.strict().allowEnv("1BAD")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowEnv name=1BAD");
        assertThatThrownBy(() -> Permission.strict().allowEnv("A=B")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowEnv name=A=B");
        assertThatThrownBy(() -> Permission.strict().allowRead(Path.of(""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowRead path=");
        assertThatThrownBy(() -> Permission.strict().allowWrite((Path) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowWrite path=null");
    }

    @Test
    void unsafeTakesNoGrantsSinceItAllowsEverything() {
        assertThatThrownBy(() -> Permission.unsafe().allowNetwork()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("allowNetwork on Permission.unsafe()");
    }

    @Test
    void theBuilderRefusesANullPermissionAtOnce() {
        assertThatThrownBy(() -> Knitting.pool().permission(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("permission");
    }

    @Test
    void aThreadPoolWithAConfiningPermissionFailsToStart() {
        PoolBuilder builder = Knitting.pool().permission(Permission.strict().allowNetwork());

        assertThatThrownBy(() -> builder.start(EchoTasks.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("permission=Permission.strict().allowNetwork()")
                .hasMessageContaining("runtime(PROCESS)");
    }

    @Test
    void aThreadPoolStartsWithUnsafeOrWithoutAPermission() {
        try (Pool pool = Knitting.pool().permission(Permission.unsafe()).start(EchoTasks.class)) {
            assertThat(pool.call(EchoTasks.SQUARE, 3).join()).isEqualTo(9);
        }
        try (Pool pool = Knitting.pool().start(EchoTasks.class)) {
            assertThat(pool.call(EchoTasks.SQUARE, 4).join()).isEqualTo(16);
        }
    }
}
