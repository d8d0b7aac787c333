package dev.knitting.internal.task;

import dev.knitting.Task;
import dev.knitting.TaskFunction;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks of one pool, in a fixed order that host and workers derive independently from the same
 * names: the id of a task on the wire is its index here. Tasks are exported as
 * {@code public static final Task} fields or public static one-parameter methods of public
 * classes, or imported by name ({@code Task.imported}: only workers load the class). A worker
 * rebuilds the table from {@link #names()} and must reach the same {@link #fingerprint()}.
 */
public final class TaskTable {
    private static final Map<Class<?>, String> FUNCTION_NAMES = new ConcurrentHashMap<>();

    private final List<TaskEntry> entries;
    private final Map<Task<?, ?>, Integer> idsByTask = new IdentityHashMap<>();
    private LastLookup lastLookup;
    private final Map<String, Integer> idsByName = new java.util.HashMap<>();
    private final Set<String> packages;
    private final long fingerprint;

    private TaskTable(List<TaskEntry> entries, List<Task<?, ?>> tasks) {
        this.entries = List.copyOf(entries);
        Set<String> pkgs = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            TaskEntry e = entries.get(i);
            idsByName.put(e.name(), e.id());
            if (!e.imported()) {
                pkgs.add(e.declaringClass().getPackageName());
            } else if (!ImportedTask.fromTableName(e.name()).packageName().isEmpty()) {
                pkgs.add(ImportedTask.fromTableName(e.name()).packageName()); // allowed by name: the host cannot load it
            }
            if (tasks.get(i) != null) {
                idsByTask.put(tasks.get(i), e.id());
            }
        }
        this.packages = Set.copyOf(pkgs);
        this.fingerprint = fingerprintOf(names(), entries);
    }

    /**
     * Every task field and public static one-parameter method of the given classes.
     *
     * @throws IllegalArgumentException if a class is not public or exports no task
     */
    public static TaskTable fromClasses(Class<?>... classes) {
        Objects.requireNonNull(classes, "taskClasses");
        if (classes.length == 0) {
            throw new IllegalArgumentException("start needs at least one task class");
        }
        List<Candidate> found = new ArrayList<>();
        Set<Class<?>> seen = new LinkedHashSet<>();
        for (Class<?> type : classes) {
            Objects.requireNonNull(type, "task class");
            if (!seen.add(type)) {
                continue;
            }
            checkPublic(type);
            int before = found.size();
            collectFields(type, found);
            collectMethods(type, found);
            if (found.size() == before) {
                throw new IllegalArgumentException("task class " + type.getName()
                        + " exports no task: declare public static final Task fields or public static"
                        + " one-parameter methods");
            }
        }
        return build(found);
    }

    /**
     * Exactly the given tasks, each found as a {@code public static final} field of the class that
     * created it; imported tasks need no field, their name is enough.
     *
     * @throws IllegalArgumentException if a task is not exported that way
     */
    public static TaskTable fromTasks(Task<?, ?>... tasks) {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.length == 0) {
            throw new IllegalArgumentException("start needs at least one task");
        }
        List<Candidate> found = new ArrayList<>();
        Set<Task<?, ?>> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task<?, ?> task : tasks) {
            Objects.requireNonNull(task, "task");
            if (!seen.add(task)) {
                continue;
            }
            TaskDefinition definition = ApiAccess.get().definition(task);
            if (definition.imported() != null) {
                found.add(new Candidate(definition.imported().tableName(), definition, null, task, true));
                continue;
            }
            Class<?> creator = definition.creator();
            Candidate match = null;
            List<Candidate> fields = new ArrayList<>();
            if (Modifier.isPublic(creator.getModifiers())) {
                collectFields(creator, fields);
            }
            for (Candidate c : fields) {
                if (c.task == task) {
                    match = c;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException("task " + task + " is not exported: assign it to a"
                        + " public static final field of a public class (looked in " + creator.getName()
                        + "), or start the pool with that class");
            }
            found.add(match);
        }
        return build(found);
    }

    /**
     * Rebuilds a table from its names, as a worker does: loads each declaring class with
     * {@code loader} and finds the field or method; resolves imported tasks with
     * {@link ImportedTaskResolver}.
     *
     * @throws IllegalArgumentException naming the first task that cannot be found
     */
    public static TaskTable fromNames(List<String> names, ClassLoader loader) {
        List<Candidate> found = new ArrayList<>();
        for (String name : names) {
            ImportedTask imported = ImportedTask.fromTableName(name);
            if (imported != null) {
                ImportedTaskResolver.Resolved resolved = ImportedTaskResolver.resolve(imported, loader);
                found.add(new Candidate(name, resolved.definition(), resolved.type(), null, true));
                continue;
            }
            int field = name.indexOf('#');
            int method = name.indexOf("::");
            String className = name.substring(0, field >= 0 ? field : Math.max(method, 0));
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalArgumentException("task " + name + ": class " + className
                        + " cannot be loaded: " + e, e);
            }
            List<Candidate> all = new ArrayList<>();
            collectFields(type, all);
            collectMethods(type, all);
            Candidate match = null;
            for (Candidate c : all) {
                if (c.name.equals(name)) {
                    match = c;
                    break;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException("task " + name + " is not exported by " + className
                        + " in this JVM (class path mismatch?)");
            }
            found.add(match);
        }
        return build(found);
    }

    /** @return the rows, ordered by id */
    public List<TaskEntry> entries() {
        return entries;
    }

    /** @return the row with this id */
    public TaskEntry entry(int id) {
        return entries.get(id);
    }

    /** @return the number of tasks */
    public int size() {
        return entries.size();
    }

    /** @return the names in id order: enough to rebuild the table elsewhere */
    public List<String> names() {
        String[] names = new String[entries.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = entries.get(i).name();
        }
        return List.of(names);
    }

    /** @return a 64-bit hash of the names, compared at worker boot */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * @return the packages of the classes that export the tasks, those of imported tasks' classes
     *         included (by name)
     */
    public Set<String> packages() {
        return packages;
    }

    /** @return the names of the imported tasks, in id order */
    public List<String> importedNames() {
        List<String> names = new ArrayList<>();
        for (TaskEntry e : entries) {
            if (e.imported()) {
                names.add(e.name());
            }
        }
        return List.copyOf(names);
    }

    /**
     * @return the id of an exported task
     * @throws IllegalArgumentException if the task is not in this table
     */
    public int idOf(Task<?, ?> task) {
        LastLookup last = lastLookup;
        if (last != null && last.task() == task) {
            return last.id(); // a caller mostly calls one task again and again
        }
        Integer id = idsByTask.get(task);
        if (id == null) {
            ImportedTask imported = ApiAccess.get().definition(task).imported();
            id = imported == null ? null : idsByName.get(imported.tableName()); // the same import, made twice
        }
        if (id == null) {
            throw new IllegalArgumentException("task " + task + " is not in this pool: start the pool with"
                    + " the class that exports it");
        }
        lastLookup = new LastLookup(task, id);
        return id;
    }

    /** The last task looked up and its id: immutable, so a racy read sees a consistent pair. */
    private record LastLookup(Task<?, ?> task, int id) {
    }

    /**
     * @return the id of a bare task given as a method reference
     * @throws IllegalArgumentException if it is a lambda, not static, or not in this table
     */
    public int idOf(TaskFunction<?, ?> function) {
        Objects.requireNonNull(function, "function");
        String name = FUNCTION_NAMES.computeIfAbsent(function.getClass(), k -> functionName(function));
        Integer id = idsByName.get(name);
        if (id == null) {
            throw new IllegalArgumentException("bare task " + name + " is not in this pool: start the pool with"
                    + " its class");
        }
        return id;
    }

    private static String functionName(TaskFunction<?, ?> function) {
        SerializedLambda lambda;
        try {
            Method writeReplace = function.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            lambda = (SerializedLambda) writeReplace.invoke(function);
        } catch (NoSuchMethodException | ClassCastException e) {
            throw new IllegalArgumentException("a TaskFunction must be a method reference such as Tasks::cube,"
                    + " not an instance of " + function.getClass().getName());
        } catch (InaccessibleObjectException e) {
            throw new IllegalArgumentException("cannot read the method reference " + function.getClass().getName()
                    + ": open its package to dev.knitting (module-info: opens "
                    + function.getClass().getPackageName() + " to dev.knitting)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot read the method reference " + function.getClass().getName()
                    + ": " + e, e);
        }
        String implClass = lambda.getImplClass().replace('/', '.');
        String method = lambda.getImplMethodName();
        if (method.startsWith("lambda$") || lambda.getCapturedArgCount() != 0
                || lambda.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic) {
            throw new IllegalArgumentException("bare tasks must be method references to public static"
                    + " one-parameter methods of an exported class (such as Tasks::cube); got an inline lambda or"
                    + " instance method " + implClass + "." + method
                    + ": export it as a public static final Task field instead");
        }
        return implClass + "::" + method + lambda.getImplMethodSignature();
    }

    private static TaskTable build(List<Candidate> found) {
        List<Candidate> sorted = new ArrayList<>(found);
        sorted.sort(BY_NAME);
        List<TaskEntry> entries = new ArrayList<>();
        List<Task<?, ?>> tasks = new ArrayList<>();
        String previous = null;
        for (Candidate c : sorted) {
            if (c.name.equals(previous)) {
                continue;
            }
            previous = c.name;
            entries.add(new TaskEntry(entries.size(), c.name, c.definition, c.declaringClass, c.imported));
            tasks.add(c.task);
        }
        if (entries.size() > 65_536) {
            throw new IllegalArgumentException("too many tasks: " + entries.size() + " (the maximum is 65536)");
        }
        return new TaskTable(entries, tasks);
    }

    private static void checkPublic(Class<?> type) {
        if (!Modifier.isPublic(type.getModifiers()) || type.isAnonymousClass() || type.isLocalClass()
                || (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers()))) {
            throw new IllegalArgumentException("task class " + type.getName()
                    + " must be a public top-level or public static nested class");
        }
    }

    private static void collectFields(Class<?> type, List<Candidate> out) {
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isFinal(m) || !Modifier.isPublic(m) || f.getType() != Task.class) {
                continue;
            }
            Task<?, ?> task;
            try {
                task = (Task<?, ?>) f.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("task field " + type.getName() + "#" + f.getName()
                        + " is not accessible: export or open its package to dev.knitting", e);
            }
            if (task == null) {
                throw new IllegalArgumentException("task field " + type.getName() + "#" + f.getName() + " is null");
            }
            TaskDefinition definition = ApiAccess.get().definition(task);
            if (definition.imported() != null) {
                // A field holding an imported task stands for the import: workers resolve that name.
                out.add(new Candidate(definition.imported().tableName(), definition, null, task, true));
                continue;
            }
            out.add(new Candidate(type.getName() + "#" + f.getName(), definition, type, task, false));
        }
    }

    private static void collectMethods(Class<?> type, List<Candidate> out) {
        for (Method m : type.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isPublic(mod) || m.isSynthetic() || m.isBridge()
                    || m.getParameterCount() != 1) {
                continue;
            }
            MethodType mt = MethodType.methodType(m.getReturnType(), m.getParameterTypes());
            String name = type.getName() + "::" + m.getName() + mt.toMethodDescriptorString();
            out.add(new Candidate(name, methodDefinition(type, m), type, null, false));
        }
    }

    static TaskDefinition methodDefinition(Class<?> type, Method m) {
        MethodHandle handle;
        try {
            handle = MethodHandles.publicLookup().unreflect(m);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("method " + type.getName() + "::" + m.getName()
                    + " is not accessible: export its package to dev.knitting", e);
        }
        MethodHandle generic = handle.asType(MethodType.methodType(Object.class, Object.class));
        TaskDefinition.Kind kind = CompletionStage.class.isAssignableFrom(m.getReturnType())
                ? TaskDefinition.Kind.ASYNC : TaskDefinition.Kind.PLAIN;
        return new TaskDefinition(kind, new MethodBody(generic), null, type);
    }

    /** A method task's body: the method's handle, adapted to {@code (Object)Object}. */
    private record MethodBody(MethodHandle generic) implements TaskDefinition.Body {
        @Override
        public Object invoke(Object argument, dev.knitting.TaskContext context) throws Throwable {
            return generic.invokeExact(argument);
        }
    }

    /** @return the classes exporting the tasks the host loaded (imported tasks have none), each once, in table order */
    public Set<Class<?>> hostClasses() {
        return hostClasses(entries);
    }

    private static Set<Class<?>> hostClasses(List<TaskEntry> entries) {
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (TaskEntry e : entries) {
            if (!e.imported()) {
                classes.add(e.declaringClass());
            }
        }
        return classes;
    }

    /**
     * FNV-1a over the names, then over a CRC-32C of each exporting class's class file: a worker
     * that loads another version of a task class (a class path mismatch) reaches another value even
     * though it finds every task by name. Imported tasks count by name only: the host has no class
     * file of theirs to read.
     */
    private static long fingerprintOf(List<String> names, List<TaskEntry> entries) {
        long hash = 0xcbf29ce484222325L;
        for (String name : names) {
            for (int i = 0; i < name.length(); i++) {
                hash = (hash ^ name.charAt(i)) * 0x100000001b3L;
            }
            hash = (hash ^ '\n') * 0x100000001b3L;
        }
        for (Class<?> type : hostClasses(entries)) {
            hash = (hash ^ classFileChecksum(type)) * 0x100000001b3L;
        }
        return hash;
    }

    private static long classFileChecksum(Class<?> type) {
        try {
            byte[] bytes = ClassFileBytes.of(type);
            if (bytes == null) {
                return 0; // no class file to read (generated class): names alone decide
            }
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(bytes);
            return crc.getValue();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /**
     * Orders candidates by name. Here and elsewhere in this class: loops and classes, not streams
     * and lambdas, since a cold JVM builds the table on its first pool's start path and spins a
     * class for each lambda at its first use.
     */
    private static final Comparator<Candidate> BY_NAME = new Comparator<>() {
        @Override
        public int compare(Candidate a, Candidate b) {
            return a.name.compareTo(b.name);
        }
    };

    private record Candidate(String name, TaskDefinition definition, Class<?> declaringClass, Task<?, ?> task,
                             boolean imported) {
    }
}
