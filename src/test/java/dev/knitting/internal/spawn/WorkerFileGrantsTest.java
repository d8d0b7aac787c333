package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.Permission;
import dev.knitting.internal.os.Landlock.Access;
import dev.knitting.internal.os.Landlock.Grant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerFileGrantsTest {
    @TempDir
    Path dir;

    @Test
    void jvmOptionsThatNameFilesGrantThem() {
        assertThat(WorkerFileGrants.jvmOptionPaths("-javaagent:/opt/agent.jar=port=1")).containsExactly(
                Path.of("/opt/agent.jar"));
        assertThat(WorkerFileGrants.jvmOptionPaths("-Xbootclasspath/a:/a:/b")).containsExactly(Path.of("/a"),
                Path.of("/b"));
        assertThat(WorkerFileGrants.jvmOptionPaths("-XX:AOTCache=/c/app.aot")).containsExactly(Path.of("/c/app.aot"));
        assertThat(WorkerFileGrants.jvmOptionPaths("-Xmx1g")).isEmpty();
    }

    @Test
    void aWorkerReadsItsClassPathTheJarsItsManifestNamesAndTheGrantsAndWritesOnlyWhereGranted() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path dependency = Files.writeString(lib.resolve("dep.jar"), "not really a jar");
        Path app = dir.resolve("app.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/dep.jar lib/missing.jar");
        try (JarOutputStream ignored = new JarOutputStream(Files.newOutputStream(app), manifest)) {
            // a manifest only
        }
        Path data = Files.createDirectory(dir.resolve("data"));
        Path out = Files.createDirectory(dir.resolve("out"));
        HostLaunch host = new HostLaunch(false, "", app.toString(), "", List.of());
        WorkerCommand command = new WorkerCommand("w.Main").withHost(host);

        List<Grant> grants = WorkerFileGrants.of(command, Permission.strict().allowRead(data).allowWrite(out));

        assertThat(grants).contains(new Grant(app, Access.READ), new Grant(dependency, Access.READ),
                new Grant(data, Access.READ), new Grant(out, Access.WRITE),
                new Grant(Path.of(System.getProperty("java.home")), Access.READ),
                new Grant(Path.of("/dev/null"), Access.WRITE));
        assertThat(grants).extracting(Grant::path).doesNotContain(lib.resolve("missing.jar"), dir, Path.of("/tmp"),
                Path.of("/proc"), Path.of("/home"));
        assertThat(grants).filteredOn(g -> g.access() == Access.WRITE).extracting(Grant::path)
                .containsExactlyInAnyOrder(out, Path.of("/dev/null"));
        assertThat(grants).filteredOn(g -> g.path().startsWith("/proc")).extracting(Grant::path)
                .allMatch(p -> p.getNameCount() >= 2 && !p.getName(1).toString().matches("\\d+|self|thread-self"));
    }
}
