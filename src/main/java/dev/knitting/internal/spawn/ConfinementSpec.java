package dev.knitting.internal.spawn;

/**
 * What a confined worker must do to itself at boot, carried in {@link WorkerEnv#CONFINE} as
 * {@code seccomp=0|1;exec=0|1;network=0|1;door=<tid>}. Set by the host only; the worker reads it
 * before any task class loads.
 *
 * @param seccomp whether to install the seccomp filter on all its threads
 * @param exec whether the filter allows {@code execve}
 * @param network whether the filter allows every socket family
 * @param doorThread the id of the host thread that started the worker under Landlock, through which
 *     it reaches the host's shared buffers ({@code /proc/<host>/task/<tid>/fd/<n>}); 0 without Landlock
 */
public record ConfinementSpec(boolean seccomp, boolean exec, boolean network, long doorThread) {
    /** Checks the door thread id. */
    public ConfinementSpec {
        if (doorThread < 0) {
            throw new IllegalArgumentException("doorThread=" + doorThread + " must be >= 0");
        }
    }

    /** @return the value of {@link WorkerEnv#CONFINE} */
    public String encode() {
        return "seccomp=" + bit(seccomp) + ";exec=" + bit(exec) + ";network=" + bit(network) + ";door=" + doorThread;
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
        String[] parts = value.split(";", -1);
        if (parts.length != 4 || !parts[0].matches("seccomp=[01]") || !parts[1].matches("exec=[01]")
                || !parts[2].matches("network=[01]") || !parts[3].matches("door=[0-9]{1,10}")) {
            throw new IllegalArgumentException(WorkerEnv.CONFINE + "=" + value
                    + " is not seccomp=0|1;exec=0|1;network=0|1;door=<tid>");
        }
        return new ConfinementSpec(parts[0].endsWith("1"), parts[1].endsWith("1"), parts[2].endsWith("1"),
                Long.parseLong(parts[3].substring("door=".length())));
    }

    private static char bit(boolean b) {
        return b ? '1' : '0';
    }
}
