package dev.knitting.internal.spawn;

/**
 * The few shapes of text a worker's start checks (a shared-memory name, a package or class name,
 * a decimal number, a fingerprint), as plain loops. A regular expression would do the same, but
 * compiling the first one costs a cold JVM some thirty JDK classes and a spun lambda, on the host
 * before its first worker starts and in every worker's boot. {@code BootSyntaxTest} holds each
 * predicate to the regular expression it replaces.
 */
final class BootSyntax {
    private BootSyntax() {
    }

    /** @return whether {@code s} matches {@code [A-Za-z0-9_-][A-Za-z0-9._-]{0,254}} */
    static boolean isShmName(String s) {
        if (s.isEmpty() || s.length() > 255 || s.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                    || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether {@code s} is dot-separated identifiers, matching
     *     {@code [\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*} (by code point)
     */
    static boolean isQualifiedName(String s) {
        boolean atStart = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '.') {
                if (atStart) {
                    return false;
                }
                atStart = true;
            } else if (atStart ? isNameStart(cp) : isNamePart(cp)) {
                atStart = false;
            } else {
                return false;
            }
        }
        return !atStart; // not empty, not ending with a dot
    }

    /** @return whether {@code s} matches {@code 0|-1|[1-9][0-9]{0,18}} */
    static boolean isNumber(String s) {
        if (s.equals("0") || s.equals("-1")) {
            return true;
        }
        if (s.isEmpty() || s.length() > 19 || s.charAt(0) < '1' || s.charAt(0) > '9') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code s} matches {@code [0-9a-f]{16}} */
    static boolean isHex16(String s) {
        if (s.length() != 16) {
            return false;
        }
        for (int i = 0; i < 16; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [\p{L}_$]} */
    private static boolean isNameStart(int cp) {
        return Character.isLetter(cp) || cp == '_' || cp == '$';
    }

    /** {@code [\p{L}\p{N}_$]} */
    private static boolean isNamePart(int cp) {
        if (isNameStart(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
