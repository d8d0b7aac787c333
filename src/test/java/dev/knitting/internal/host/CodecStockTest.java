package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CodecStockTest {
    private final AtomicInteger made = new AtomicInteger();
    private final CodecStock<Object> stock = new CodecStock<>(() -> "codec " + made.incrementAndGet());

    private static <T> T onVirtualThread(java.util.concurrent.Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }).join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    @Test
    void aPlatformThreadKeepsOneInstanceForGood() {
        Object first = stock.take();
        stock.giveBack(first);
        Object nested = stock.take();
        Object inner = stock.take();

        assertThat(nested).isSameAs(first);
        assertThat(inner).as("a nested take on one platform thread shares its instance").isSameAs(first);
        assertThat(made).hasValue(1);
    }

    @Test
    void virtualThreadsReuseWhatEarlierVirtualThreadsGaveBack() throws Exception {
        for (int i = 0; i < 100; i++) {
            onVirtualThread(() -> {
                Object codec = stock.take();
                stock.giveBack(codec);
                return codec;
            });
        }

        assertThat(made).as("one instance served 100 virtual threads one after another").hasValue(1);
    }

    @Test
    void virtualThreadsHoldingInstancesAtOnceNeverShareOne() throws Exception {
        List<Object> held = onVirtualThread(() -> {
            List<Object> taken = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                taken.add(stock.take());
            }
            return taken;
        });

        assertThat(held).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void theStockKeepsAFewInstancesPerProcessorAndDropsTheRest() throws Exception {
        int kept = 4 * Runtime.getRuntime().availableProcessors();
        int given = kept + 10;
        onVirtualThread(() -> {
            List<Object> taken = new ArrayList<>();
            for (int i = 0; i < given; i++) {
                taken.add(stock.take());
            }
            taken.forEach(stock::giveBack);
            return null;
        });
        int before = made.get();

        List<Object> again = onVirtualThread(() -> {
            List<Object> taken = new ArrayList<>();
            for (int i = 0; i < given; i++) {
                taken.add(stock.take());
            }
            return taken;
        });

        assertThat(again).doesNotHaveDuplicates();
        assertThat(made.get() - before).as("instances made once the kept ones were taken").isEqualTo(given - kept);
    }

    @Test
    void aPlatformThreadsInstanceNeverEntersTheStock() throws Exception {
        Object platform = stock.take();
        stock.giveBack(platform);

        Object virtual = onVirtualThread(stock::take);

        assertThat(virtual).isNotSameAs(platform);
    }
}
