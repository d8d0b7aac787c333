package dev.knitting.internal.os;

/** Child side of {@link CrossProcessTest}: reports what a JVM without native access gets. */
final class NativeAccessChild {
    private NativeAccessChild() {
    }

    public static void main(String[] args) {
        System.out.println("waiter: " + Waiter.platform().getClass().getSimpleName());
        System.out.println("reason: " + Platforms.waiterReason());
        try {
            SharedMemory.createAnonymous("knitting-test", 4096).close();
            System.out.println("shared memory: created");
        } catch (RuntimeException e) {
            System.out.println("shared memory: " + e.getMessage());
        }
    }
}
