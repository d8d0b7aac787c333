package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkerCommandTest {
    private static final String ENTRY = "dev.knitting.internal.worker.ProcessWorkerMain";
    private static final String SEP = File.pathSeparator;

    @Test
    void shouldStartAClassPathHostsWorkerOnTheSameClassPath() {
        HostLaunch host = new HostLaunch(false, "", "/app/a.jar" + SEP + "/app/classes", "", List.of());
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("/jdk/bin/java");

        assertThat(command.argv()).containsExactly("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-cp", "/app/a.jar" + SEP + "/app/classes", ENTRY);
    }

    @Test
    void shouldPutPrefixLauncherJvmArgsNativeAccessPathAndEntryInThatOrder() {
        HostLaunch host = new HostLaunch(false, "", "/app/a.jar", "", List.of());
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("/jdk/bin/java")
                .withCommandPrefix(List.of("taskset", "-c", "1"))
                .withJvmArgs(List.of("-Xmx64m", "-Dknitting.x=y"))
                .withExtraClassPath(List.of(Path.of("/worker/only.jar"), Path.of("/worker/classes")));

        assertThat(command.argv()).containsExactly("taskset", "-c", "1", "/jdk/bin/java", "-Xmx64m",
                "-Dknitting.x=y", "--enable-native-access=ALL-UNNAMED",
                "-cp", "/app/a.jar" + SEP + "/worker/only.jar" + SEP + "/worker/classes", ENTRY);
    }

    @Test
    void shouldStartAModularHostsWorkerAsTheKnittingModuleWithTheHostsApplicationModules() {
        HostLaunch host = new HostLaunch(true, "dev.knitting", "", "/mods" + SEP + "/more",
                List.of("com.example.app", "com.example.model"));
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("/jdk/bin/java")
                .withJvmArgs(List.of("-Xss1m"));

        assertThat(command.argv()).containsExactly("/jdk/bin/java", "-Xss1m", "--enable-native-access=dev.knitting",
                "--module-path", "/mods" + SEP + "/more", "--add-modules", "com.example.app,com.example.model",
                "-m", "dev.knitting/" + ENTRY);
    }

    @Test
    void shouldPutAModularHostsExtraEntriesOnTheClassPath() {
        HostLaunch host = new HostLaunch(true, "dev.knitting", "", "/mods", List.of());
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("java")
                .withExtraClassPath(List.of(Path.of("/worker/extra.jar")));

        assertThat(command.argv()).containsExactly("java", "--enable-native-access=dev.knitting",
                "--module-path", "/mods", "-cp", "/worker/extra.jar", "-m", "dev.knitting/" + ENTRY);
    }

    @Test
    void shouldNeedNoModulePathInAJlinkImage() {
        HostLaunch host = new HostLaunch(true, "dev.knitting", "", "", List.of());
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("/image/bin/java");

        assertThat(command.argv()).containsExactly("/image/bin/java", "--enable-native-access=dev.knitting",
                "-m", "dev.knitting/" + ENTRY);
    }

    @Test
    void shouldAddTheMainModuleOfAJlinkImageSoTheWorkerCanLoadItsTasks() {
        Optional<URI> jrt = Optional.of(URI.create("jrt:/x"));
        Map<String, Optional<URI>> boot = Map.of("java.base", jrt, "java.desktop", jrt, "dev.knitting", jrt,
                "com.example.app", jrt, "com.example.model", jrt);
        List<String> modules = HostLaunch.applicationModules(boot, "dev.knitting", "com.example.app");
        WorkerCommand command = new WorkerCommand(ENTRY).withJavaLauncher("/image/bin/java")
                .withHost(new HostLaunch(true, "dev.knitting", "", "", modules));

        assertThat(modules).containsExactly("com.example.app");
        assertThat(command.argv()).containsExactly("/image/bin/java", "--enable-native-access=dev.knitting",
                "--add-modules", "com.example.app", "-m", "dev.knitting/" + ENTRY);
    }

    @Test
    void shouldAddModulePathModulesAndTheMainModuleButNeverKnittingOrTheJdk() {
        Optional<URI> jrt = Optional.of(URI.create("jrt:/x"));
        Map<String, Optional<URI>> boot = Map.of("java.base", jrt, "jdk.unsupported", Optional.empty(),
                "dev.knitting", Optional.of(URI.create("file:/m/k.jar")),
                "com.example.lib", Optional.of(URI.create("file:/m/lib.jar")),
                "com.example.app", Optional.of(URI.create("file:/m/app/")));

        assertThat(HostLaunch.applicationModules(boot, "dev.knitting", "com.example.app"))
                .containsExactly("com.example.app", "com.example.lib");
        assertThat(HostLaunch.applicationModules(boot, "dev.knitting", "")).containsExactly("com.example.app",
                "com.example.lib");
        assertThat(HostLaunch.applicationModules(Map.of("dev.knitting", jrt, "java.base", jrt), "dev.knitting",
                "dev.knitting")).isEmpty();
    }

    @Test
    void shouldKeepAClassPathHostsModulePathModules() {
        HostLaunch host = new HostLaunch(false, "", "/app/a.jar", "/mods", List.of("com.example.lib"));
        WorkerCommand command = new WorkerCommand(ENTRY).withHost(host).withJavaLauncher("java");

        assertThat(command.argv()).containsExactly("java", "--enable-native-access=ALL-UNNAMED",
                "--module-path", "/mods", "--add-modules", "com.example.lib", "-cp", "/app/a.jar", ENTRY);
    }

    @Test
    void shouldDetectThatTheseTestsRunOnTheClassPath() {
        HostLaunch host = HostLaunch.current();

        assertThat(host.modular()).isFalse();
        assertThat(host.classPath()).isEqualTo(System.getProperty("java.class.path"));
        assertThat(host.nativeAccessTarget()).isEqualTo("ALL-UNNAMED");
        assertThat(new WorkerCommand(ENTRY).argv()).endsWith("-cp", System.getProperty("java.class.path"), ENTRY);
    }

    @Test
    void shouldDefaultToTheRunningJdksLauncher() {
        String launcher = WorkerCommand.defaultJavaLauncher();

        assertThat(Path.of(launcher)).startsWith(Path.of(System.getProperty("java.home")));
        assertThat(Files.isExecutable(Path.of(launcher))).isTrue();
        assertThat(new WorkerCommand(ENTRY).argv().get(0)).isEqualTo(launcher);
    }

    @Test
    void shouldRejectWhatIsNotAClassName() {
        assertThatThrownBy(() -> new WorkerCommand("-jar evil.jar")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entryClass");
        assertThatThrownBy(() -> new HostLaunch(true, "", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moduleName");
    }
}
