package dev.knitting.fuzz;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Records and enums a fuzzed payload may name: the package {@code dev.knitting.fuzz} is one of the
 * allowed packages of {@link PayloadDecoderFuzzTest}'s policy, so the fuzzer reaches record and enum
 * decoding (component checks, constructors that reject their components, recursion through a
 * record, enum constants with bodies) and not only the "not allowed" refusal.
 */
final class FuzzTypes {
    /** Every name a payload may use here, for the fuzzer's dictionary and the seed corpus. */
    static final List<String> NAMES = List.of(Node.class.getName(), Span.class.getName(), Mixed.class.getName(),
            Bag.class.getName(), Empty.class.getName(), Shade.class.getName());

    private FuzzTypes() {
    }

    /** A record that nests itself: depth comes from the payload alone. */
    record Node(String label, Node next) { }

    /** A record whose constructor rejects some components. */
    record Span(int start, int end) {
        Span {
            if (start > end) {
                throw new IllegalArgumentException("start=" + start + " must not exceed end=" + end);
            }
        }
    }

    /** Every primitive component kind (a null for one is refused), plus one of any type. */
    record Mixed(byte b, short s, char c, int i, long l, float f, double d, boolean z, Object any) { }

    /** Container components whose element types the decoder cannot check. */
    record Bag(List<Object> items, Map<String, Object> index, Set<Object> members, Optional<Shade> shade) { }

    /** No components at all. */
    record Empty() { }

    /** An enum, one constant with a body (its class is a subclass of the enum). */
    enum Shade {
        LIGHT,
        DARK {
            @Override
            public String toString() {
                return "dark!";
            }
        }
    }
}
