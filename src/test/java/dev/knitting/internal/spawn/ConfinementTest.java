package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.KnittingException;
import dev.knitting.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The decision at {@code start}, on platforms simulated without Landlock or seccomp. */
class ConfinementTest {
    private static final Confinement.Mechanisms ALL = new Confinement.Mechanisms("", "");
    private static final Confinement.Mechanisms NO_LANDLOCK = new Confinement.Mechanisms("no Landlock here", "");
    private static final Confinement.Mechanisms NOTHING = new Confinement.Mechanisms("no Landlock here",
            "no seccomp here");

    private final AtomicBoolean warned = new AtomicBoolean();
    private final List<String> warnings = new ArrayList<>();
    private final System.Logger logger = new RecordingLogger(warnings);

    @Test
    void aPlatformWithBothMechanismsUsesBoth() {
        Confinement c = Confinement.decide(Permission.strict(), true, ALL, warned, logger);

        assertThat(c.landlock()).isTrue();
        assertThat(c.seccomp()).isTrue();
        assertThat(warnings).isEmpty();
    }

    @Test
    void anExplicitPermissionThePlatformCannotEnforceFailsNamingTheMissingMechanism() {
        assertThatThrownBy(() -> Confinement.decide(Permission.strict().allowNetwork(), true, NO_LANDLOCK, warned,
                logger)).isInstanceOf(KnittingException.class)
                .hasMessageContaining("permission=Permission.strict().allowNetwork()")
                .hasMessageContaining("Landlock (no Landlock here)").hasMessageNotContaining("seccomp (");
        assertThatThrownBy(() -> Confinement.decide(Permission.strict(), true, NOTHING, warned, logger))
                .hasMessageContaining("Landlock (no Landlock here) and seccomp (no seccomp here)");
        assertThat(warnings).isEmpty();
    }

    @Test
    void theImplicitDefaultWarnsOnceAndUsesWhatThereIs() {
        Confinement first = Confinement.decide(Permission.strict(), false, NO_LANDLOCK, warned, logger);
        Confinement second = Confinement.decide(Permission.strict(), false, NOTHING, warned, logger);

        assertThat(first.landlock()).isFalse();
        assertThat(first.seccomp()).isTrue();
        assertThat(first.confined()).as("the environment is narrowed anyway").isTrue();
        assertThat(second.seccomp()).isFalse();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst()).contains("WARNING").contains("Landlock (no Landlock here)")
                .contains("Permission.unsafe()");
    }

    @Test
    void unsafeNeedsNoMechanismAndNeverWarns() {
        Confinement c = Confinement.decide(Permission.unsafe(), true, NOTHING, warned, logger);

        assertThat(c.confined()).isFalse();
        assertThat(c.environment(Map.of("SECRET", "x"))).as("the host's whole environment").isNull();
        assertThat(c.jvmArgs()).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aConfinedEnvironmentKeepsTheLocaleTheTimeZoneAndTheGrantedNamesOnly() {
        Confinement c = Confinement.decide(Permission.strict().allowEnv("MODEL", "ABSENT"), true, ALL, warned, logger);
        Map<String, String> host = Map.of("LANG", "C.UTF-8", "LC_TIME", "de_DE", "TZ", "UTC", "HOME", "/root",
                "PATH", "/usr/bin", "AWS_SECRET_ACCESS_KEY", "s3cr3t", "MODEL", "/models/a", "JAVA_TOOL_OPTIONS", "-X");

        assertThat(c.environment(host)).containsOnly(Map.entry("LANG", "C.UTF-8"), Map.entry("LC_TIME", "de_DE"),
                Map.entry("TZ", "UTC"), Map.entry("MODEL", "/models/a"));
        assertThat(c.jvmArgs()).containsExactly("-XX:-UsePerfData");
    }

    @Test
    void theWorkersSpecSaysWhatItMustDoToItself() {
        Confinement c = Confinement.decide(Permission.strict().allowExec(), true, ALL,
                warned, logger);

        assertThat(c.spec()).isEqualTo(new ConfinementSpec(true, true, false, true));
        assertThat(ConfinementSpec.decode(c.spec().encode())).isEqualTo(c.spec());
        assertThat(Confinement.none().spec()).isNull();
    }

    @Test
    void aMalformedSpecIsRefusedNamingTheValue() {
        assertThat(ConfinementSpec.decode(null)).isNull();
        assertThatThrownBy(() -> ConfinementSpec.decode("seccomp=1;exec=0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KNITTING_CONFINE=seccomp=1;exec=0");
        assertThatThrownBy(() -> ConfinementSpec.decode("seccomp=1;exec=0;network=0;door=77"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Records every message logged, with its level. */
    private record RecordingLogger(List<String> lines) implements System.Logger {
        @Override
        public String getName() {
            return "dev.knitting";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            lines.add(level + " " + message.get());
        }
    }
}
