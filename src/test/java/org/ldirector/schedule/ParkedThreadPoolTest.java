package org.ldirector.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ParkedThreadPoolTest {
    private static ParkedThreadPool pool(int threads) {
        return pool(threads, "test");
    }

    private static ParkedThreadPool pool(int threads, String name) {
        ParkedThreadPool pool = new ParkedThreadPool();
        pool.setThreadCount(threads);
        pool.setInstanceName(name);
        pool.initialize();
        return pool;
    }

    private static List<Thread> workers(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(name + "-worker-"))
                .toList();
    }

    @Test
    void idleWorkersParkWithoutATimeout() throws Exception {
        ParkedThreadPool pool = pool(2, "parked");
        try {
            CountDownLatch ran = new CountDownLatch(2);
            assertTrue(pool.runInThread(ran::countDown));
            assertTrue(pool.runInThread(ran::countDown));
            assertTrue(ran.await(30, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // a worker is free again just after its job, once it has given its place back
            while (pool.blockForAvailableThreads() != 2) {
                assertTrue(System.nanoTime() < deadline, "both workers free again");
                Thread.sleep(10);
            }
            List<Thread> workers = workers("parked");
            assertEquals(2, workers.size(), workers.toString());
            // Quartz's SimpleThreadPool shows TIMED_WAITING here: its idle workers poll every 500
            // ms
            while (!workers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                assertTrue(
                        System.nanoTime() < deadline,
                        () -> workers + " " + workers.stream().map(Thread::getState).toList());
                Thread.sleep(10);
            }
            assertTrue(
                    workers.stream().allMatch(Thread::isDaemon), "no worker keeps the JVM alive");
        } finally {
            pool.shutdown(true);
        }
    }

    @Test
    void aBusyPoolMakesQuartzWaitInsteadOfQueueing() throws Exception {
        ParkedThreadPool pool = pool(1);
        try {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            assertTrue(
                    pool.runInThread(
                            () -> {
                                started.countDown();
                                try {
                                    release.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            CompletableFuture<Integer> available =
                    CompletableFuture.supplyAsync(pool::blockForAvailableThreads);
            CountDownLatch second = new CountDownLatch(1);
            CompletableFuture<Boolean> handed =
                    CompletableFuture.supplyAsync(() -> pool.runInThread(second::countDown));
            assertThrowsTimeout(available);
            assertThrowsTimeout(handed);
            assertEquals(
                    1, second.getCount(), "the second job waits for a worker, it is not queued");

            release.countDown();
            assertTrue(handed.get(30, TimeUnit.SECONDS));
            assertTrue(second.await(30, TimeUnit.SECONDS));
            // released by the freed worker; the count it read may already be 0 again (the second
            // job took it)
            available.get(30, TimeUnit.SECONDS);
            assertEquals(
                    1,
                    pool.blockForAvailableThreads(),
                    "both jobs done: the one worker is free again");
        } finally {
            pool.shutdown(true);
        }
    }

    @Test
    void shutdownReleasesAWaitingSchedulerAndRefusesJobs() throws Exception {
        ParkedThreadPool pool = pool(1);
        CountDownLatch stuck = new CountDownLatch(1);
        assertTrue(
                pool.runInThread(
                        () -> {
                            try {
                                stuck.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }));
        CompletableFuture<Integer> available =
                CompletableFuture.supplyAsync(pool::blockForAvailableThreads);
        assertThrowsTimeout(available);
        pool.shutdown(false);
        assertEquals(0, available.get(30, TimeUnit.SECONDS));
        assertFalse(pool.runInThread(() -> {}));
        assertEquals(0, pool.blockForAvailableThreads());
    }

    private static void assertThrowsTimeout(CompletableFuture<?> f) throws Exception {
        try {
            f.get(200, TimeUnit.MILLISECONDS);
            throw new AssertionError("expected to block, returned " + f.get());
        } catch (TimeoutException expected) {
            // still blocked, as it should be
        }
    }
}
