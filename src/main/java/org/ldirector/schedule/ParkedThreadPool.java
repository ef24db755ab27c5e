package org.ldirector.schedule;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.spi.ThreadPool;

/**
 * Quartz's job threads, parked while idle. Quartz's own {@code SimpleThreadPool} has every idle
 * worker wake twice a second to look for work ({@code wait(500)}): on a director with ten reals
 * that is four wake-ups a second for nothing, each a few system calls and, in a monitor wait, a
 * monitor for the JVM's deflation thread to clean up. Here idle workers block in a queue without a
 * timeout and wake only for a job.
 *
 * <p>Like {@code SimpleThreadPool}, {@link #runInThread} hands a job to an idle worker and blocks
 * while there is none, so a stuck job makes Quartz wait (and its ticks misfire and are dropped)
 * instead of piling up jobs behind it.
 *
 * <p>Public with a no-argument constructor and a {@code threadCount} setter because Quartz
 * instantiates its pool by class name ({@code org.quartz.threadPool.class}).
 */
public final class ParkedThreadPool implements ThreadPool {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private int threadCount = 1;
    private String instanceName = "quartz";
    private Semaphore idle;
    private ExecutorService workers;
    private volatile boolean shutdown;

    public void setThreadCount(int threadCount) {
        if (threadCount < 1) {
            throw new IllegalArgumentException(
                    "threadCount must be at least 1, not " + threadCount);
        }
        this.threadCount = threadCount;
    }

    @Override
    public void initialize() {
        idle = new Semaphore(threadCount);
        String prefix = instanceName + "-worker-" + POOLS.incrementAndGet() + "-";
        AtomicInteger n = new AtomicInteger();
        workers =
                new ThreadPoolExecutor(
                        threadCount,
                        threadCount,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, prefix + n.incrementAndGet());
                            t.setDaemon(
                                    true); // a timer thread must never keep the JVM from exiting
                            return t;
                        });
    }

    @Override
    public boolean runInThread(Runnable job) {
        if (shutdown) {
            return false;
        }
        try {
            idle.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            workers.execute(
                    () -> {
                        try {
                            job.run();
                        } finally {
                            idle.release();
                        }
                    });
            return true;
        } catch (RejectedExecutionException e) {
            idle.release();
            return false;
        }
    }

    @Override
    public int blockForAvailableThreads() {
        if (shutdown) {
            return 0;
        }
        try {
            // wait for a free worker without taking it: runInThread takes it when Quartz hands one
            // a job
            idle.acquire();
            idle.release();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        return shutdown ? 0 : idle.availablePermits();
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        shutdown = true;
        // wake Quartz's thread if it waits for a worker that a stuck job holds
        idle.release(threadCount + 1);
        if (!waitForJobsToComplete) {
            workers.shutdownNow();
            return;
        }
        workers.shutdown();
        try {
            workers.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void setInstanceId(String schedInstId) {
        // the name is enough to tell the threads apart
    }

    @Override
    public void setInstanceName(String schedName) {
        this.instanceName = schedName;
    }
}
