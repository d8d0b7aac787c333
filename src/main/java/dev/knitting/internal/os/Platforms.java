package dev.knitting.internal.os;

/** Picks the platform's implementations once. */
final class Platforms {
    static final Waiter WAITER = new PollingWaiter();

    private Platforms() {
    }
}
