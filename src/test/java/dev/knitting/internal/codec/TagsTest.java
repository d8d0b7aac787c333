package dev.knitting.internal.codec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class TagsTest {
    private static final Pattern ROW = Pattern.compile("^ \\* 0x([0-9A-F]{2})\\s+([A-Z0-9_]+)\\s", Pattern.MULTILINE);
    private static final java.util.Set<String> NOT_TAGS = java.util.Set.of("ORDER_BIG_ENDIAN", "ORDER_LITTLE_ENDIAN");

    private static Map<String, Integer> tagConstants() throws IllegalAccessException {
        Map<String, Integer> tags = new LinkedHashMap<>();
        for (Field f : Tags.class.getFields()) {
            if (f.getType() == byte.class && Modifier.isStatic(f.getModifiers()) && !NOT_TAGS.contains(f.getName())) {
                tags.put(f.getName(), f.getByte(null) & 0xFF);
            }
        }
        return tags;
    }

    @Test
    void everyTagIsUniqueAndNamedAfterItsConstant() throws IllegalAccessException {
        Map<Integer, String> byValue = new HashMap<>();
        tagConstants().forEach((name, value) -> {
            assertThat(byValue.put(value, name)).as("tag 0x%02X used twice", value).isNull();
            assertThat(Tags.name(value)).isEqualTo(name);
        });
        assertThat(Tags.name(0x7F)).isEqualTo("0x7F");
    }

    @Test
    void theJavadocTableListsExactlyTheTagConstants() throws IOException, IllegalAccessException {
        String source = Files.readString(Path.of("src/main/java/dev/knitting/internal/codec/Tags.java"));
        Map<String, Integer> documented = new LinkedHashMap<>();
        Matcher m = ROW.matcher(source);
        while (m.find()) {
            documented.put(m.group(2), Integer.parseInt(m.group(1), 16));
        }
        assertThat(documented).isEqualTo(tagConstants());
    }
}
