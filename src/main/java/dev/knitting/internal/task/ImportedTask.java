package dev.knitting.internal.task;

/**
 * A task the host knows by name only ({@code Task.imported}): a class the host never loads and a
 * member of it, resolved by each worker with {@link ImportedTaskResolver}. Its row in the task
 * table is {@link #tableName()}, which host and worker derive alike; the fingerprint covers that
 * name but no class file, since the host has none to read.
 *
 * @param className the binary name of the class, loaded only by workers
 * @param member a {@code Task} field or a public static one-argument method of that class
 */
public record ImportedTask(String className, String member) {
    /** Starts the table name of every imported task; no class name contains {@code ':'}. */
    static final String TABLE_NAME_PREFIX = "import:";

    /**
     * Checks both names.
     *
     * @throws IllegalArgumentException naming the bad argument and its value
     */
    public ImportedTask {
        if (!JavaNames.isBinaryClassName(className)) {
            throw new IllegalArgumentException("className=" + className
                    + " is not a binary class name (such as com.example.Tasks or com.example.Outer$Inner)");
        }
        if (!JavaNames.isIdentifier(member)) {
            throw new IllegalArgumentException("member=" + member + " is not a field or method name");
        }
    }

    /** @return the task's row name: {@code import:com.example.Tasks#member} */
    public String tableName() {
        return TABLE_NAME_PREFIX + className + "#" + member;
    }

    /** @return the package of the class, whose records and enums the pool allows as payloads */
    public String packageName() {
        return JavaNames.packageOf(className);
    }

    /**
     * @return the imported task a table name stands for, or {@code null} when it names a local task
     * @throws IllegalArgumentException if it starts like an imported name but is malformed
     */
    static ImportedTask fromTableName(String name) {
        if (!name.startsWith(TABLE_NAME_PREFIX)) {
            return null;
        }
        int hash = name.lastIndexOf('#');
        if (hash < TABLE_NAME_PREFIX.length()) {
            throw new IllegalArgumentException("task " + name + " is not import:<class>#<member>");
        }
        return new ImportedTask(name.substring(TABLE_NAME_PREFIX.length(), hash), name.substring(hash + 1));
    }
}
