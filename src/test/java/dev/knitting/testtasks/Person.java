package dev.knitting.testtasks;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A record nesting other payload types, any of which may be {@code null}.
 *
 * @param name a string
 * @param age an int
 * @param tags a list
 * @param favourite an enum
 * @param home a nested record
 * @param scores a map
 * @param nickname an optional
 */
public record Person(String name, int age, List<String> tags, Color favourite, Point home,
                     Map<String, Double> scores, Optional<String> nickname) {
}
