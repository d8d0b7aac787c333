package dev.knitting.internal.task;

import dev.knitting.Task;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds an imported task on a worker: loads its class with the worker's loader and takes the
 * static {@code Task} field named like the member, else the unique public static one-argument
 * method of that name. Every failure is an {@link IllegalArgumentException} that names the task,
 * so the worker's boot failure tells the user which import is wrong and why.
 */
final class ImportedTaskResolver {
    private ImportedTaskResolver() {
    }

    /** What an imported task resolved to. */
    record Resolved(TaskDefinition definition, Class<?> type) {
    }

    static Resolved resolve(ImportedTask imported, ClassLoader loader) {
        String name = imported.tableName();
        Class<?> type;
        try {
            type = Class.forName(imported.className(), true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("imported task " + name + ": class " + imported.className()
                    + " cannot be loaded on the worker (is it on the worker class path? see workerClassPath): " + e, e);
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException("imported task " + name + ": class " + type.getName() + " is not public");
        }
        Field field = taskField(type, imported.member());
        if (field != null) {
            return new Resolved(fieldDefinition(name, field), type);
        }
        List<Method> methods = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (m.getName().equals(imported.member()) && Modifier.isStatic(mod) && Modifier.isPublic(mod)
                    && !m.isSynthetic() && !m.isBridge() && m.getParameterCount() == 1) {
                methods.add(m);
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("imported task " + name + ": class " + type.getName()
                    + " has no static Task field and no public static one-argument method named " + imported.member());
        }
        if (methods.size() > 1) {
            throw new IllegalArgumentException("imported task " + name + " is ambiguous: class " + type.getName()
                    + " has " + methods.size() + " public static one-argument methods named " + imported.member() + " "
                    + methods.stream().map(Method::toGenericString).sorted().toList()
                    + "; keep one, or export a Task field under that name");
        }
        return new Resolved(TaskTable.methodDefinition(type, methods.getFirst()), type);
    }

    private static Field taskField(Class<?> type, String member) {
        for (Field f : type.getDeclaredFields()) {
            if (f.getName().equals(member) && Modifier.isStatic(f.getModifiers()) && f.getType() == Task.class) {
                return f;
            }
        }
        return null;
    }

    private static TaskDefinition fieldDefinition(String name, Field field) {
        if (!Modifier.isPublic(field.getModifiers())) {
            throw new IllegalArgumentException("imported task " + name + ": field " + field + " is not public");
        }
        Task<?, ?> task;
        try {
            task = (Task<?, ?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("imported task " + name + ": field " + field
                    + " is not accessible: export or open its package to dev.knitting", e);
        }
        if (task == null) {
            throw new IllegalArgumentException("imported task " + name + ": field " + field + " is null");
        }
        TaskDefinition definition = ApiAccess.get().definition(task);
        if (definition.imported() != null) {
            throw new IllegalArgumentException("imported task " + name + ": field " + field
                    + " is itself an imported task (" + definition.imported().tableName() + "); import that one directly");
        }
        return definition;
    }
}
