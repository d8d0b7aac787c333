package dev.knitting.internal.share;

import java.security.SecureRandom;

/**
 * 128 random bits naming one shared buffer: the proof a descriptor must carry. A peer that did not
 * receive a buffer cannot guess its token, so a forged descriptor never reaches its memory.
 */
public record Token(long high, long low) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @return a fresh token from a cryptographic generator */
    public static Token random() {
        return new Token(RANDOM.nextLong(), RANDOM.nextLong());
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
