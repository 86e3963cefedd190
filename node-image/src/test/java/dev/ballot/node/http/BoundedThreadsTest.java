package dev.ballot.node.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BoundedThreadsTest {
    @Test
    void aBurstOfBlockingTasksWaitsForTheBoundedThreadsAndAllComplete() throws Exception {
        ThreadPoolExecutor pool = BoundedThreads.create("test-pool", 8, 200);
        try {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(100);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                pool.execute(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 8);
            assertThat(pool.getQueue()).as("the rest wait in the queue").hasSize(92);
            release.countDown();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(mostAtOnce.get()).isEqualTo(8);
            assertThat(pool.getLargestPoolSize()).isEqualTo(8);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.getPoolSize() == 0); // idle threads end
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesAPoolWithoutThreads() {
        assertThatThrownBy(() -> BoundedThreads.create("empty", 0, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
