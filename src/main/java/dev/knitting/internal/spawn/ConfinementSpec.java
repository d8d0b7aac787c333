package dev.knitting.internal.spawn;

/**
 * What a confined worker must do to itself at boot, carried in {@link WorkerEnv#CONFINE} as
 * {@code seccomp=0|1;exec=0|1;network=0|1;landlock=0|1}. Set by the host only; the worker reads it
 * before any task class loads.
 *
 * @param seccomp whether to install the seccomp filter on all its threads
 * @param exec whether the filter allows {@code execve}
 * @param network whether the filter allows every socket family
 * @param landlock whether the worker was born under Landlock (then {@code no_new_privs} is set already)
 */
public record ConfinementSpec(boolean seccomp, boolean exec, boolean network, boolean landlock) {
    /** @return the value of {@link WorkerEnv#CONFINE} */
    public String encode() {
        return "seccomp=" + bit(seccomp) + ";exec=" + bit(exec) + ";network=" + bit(network) + ";landlock="
                + bit(landlock);
    }

    /**
     * @param value the variable, {@code null} when unset (an unconfined worker)
     * @return the spec, or {@code null} when unset
     * @throws IllegalArgumentException naming the value if it is malformed
     */
    public static ConfinementSpec decode(String value) {
        if (value == null) {
            return null;
        }
        // no regular expressions: this runs in every worker's boot, where each new class costs
        String[] parts = value.split(";", -1);
        if (parts.length != 4 || !bit(parts[0], "seccomp=") || !bit(parts[1], "exec=") || !bit(parts[2], "network=")
                || !bit(parts[3], "landlock=")) {
            throw new IllegalArgumentException(WorkerEnv.CONFINE + "=" + value
                    + " is not seccomp=0|1;exec=0|1;network=0|1;landlock=0|1");
        }
        return new ConfinementSpec(parts[0].endsWith("1"), parts[1].endsWith("1"), parts[2].endsWith("1"),
                parts[3].endsWith("1"));
    }

    private static boolean bit(String part, String name) {
        return part.length() == name.length() + 1 && part.startsWith(name)
                && (part.endsWith("0") || part.endsWith("1"));
    }

    private static char bit(boolean b) {
        return b ? '1' : '0';
    }
}
