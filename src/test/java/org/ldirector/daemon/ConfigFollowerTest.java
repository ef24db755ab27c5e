package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFollowerTest {
    @TempDir Path dir;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final Semaphore changes = new Semaphore(0);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private ConfigFollower.Watch watch(Path f) {
        return new ConfigFollower.Watch(f, Duration.ofMillis(20), executor, changes::release);
    }

    /** Polling too rarely to matter within a test: what is noticed was reported by the kernel. */
    private ConfigFollower.Watch watchWithoutPolling(Path f) {
        return new ConfigFollower.Watch(f, Duration.ofHours(1), executor, changes::release);
    }

    @Test
    void noticesAnInPlaceEditOncePerChange() throws Exception {
        Path f = Files.writeString(dir.resolve("ldirectord.cf"), "checktimeout=3\n");
        try (ConfigFollower.Watch w = watch(f)) {
            assertEquals(0, changes.availablePermits());
            Files.writeString(f, "checktimeout=4\n");
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertTrue(changes.tryAcquire(60, TimeUnit.SECONDS), "edit noticed");
            Files.writeString(f, "checktimeout=5\n");
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 10000));
            assertTrue(changes.tryAcquire(60, TimeUnit.SECONDS), "second edit noticed");
        }
    }

    @Test
    void noticesAFileReplacedByRenameEvenWithItsOldModificationTime() throws Exception {
        Path f = Files.writeString(dir.resolve("ldirectord.cf"), "checktimeout=3\n");
        FileTime old = Files.getLastModifiedTime(f);
        try (ConfigFollower.Watch w = watch(f)) {
            Path tmp = Files.writeString(dir.resolve(".ldirectord.cf.swp"), "checktimeout=30\n");
            Files.setLastModifiedTime(tmp, old);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertTrue(changes.tryAcquire(60, TimeUnit.SECONDS), "replacement noticed");
        }
    }

    @Test
    void theKernelReportsAnEditAndAReplacementWithoutWaitingForAPoll() throws Exception {
        Path f = Files.writeString(dir.resolve("ldirectord.cf"), "checktimeout=3\n");
        try (ConfigFollower.Watch w = watchWithoutPolling(f)) {
            Files.writeString(f, "checktimeout=4\n");
            assertTrue(changes.tryAcquire(30, TimeUnit.SECONDS), "in-place edit noticed");
            Path tmp = Files.writeString(dir.resolve(".ldirectord.cf.swp"), "checktimeout=30\n");
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertTrue(changes.tryAcquire(30, TimeUnit.SECONDS), "replacement noticed");
            // an edit can reach the watcher as more than one event (truncate, then write), each a
            // change: let those settle before the quiet that follows is asked of another file
            while (changes.tryAcquire(300, TimeUnit.MILLISECONDS)) {
                // a late event of the edits above
            }
            Files.writeString(dir.resolve("other.cf"), "checktimeout=9\n");
            assertTrue(
                    !changes.tryAcquire(500, TimeUnit.MILLISECONDS),
                    "another file of the directory is not a change");
        }
    }

    @Test
    void aSymlinkedConfigIsWatchedWhereItsTargetLives() throws Exception {
        Path real = Files.createDirectory(dir.resolve("conf"));
        Path target = Files.writeString(real.resolve("ld.cf"), "checktimeout=3\n");
        Path link =
                Files.createSymbolicLink(
                        Files.createDirectory(dir.resolve("ha.d")).resolve("ldirectord.cf"),
                        target);
        try (ConfigFollower.Watch w = watchWithoutPolling(link)) {
            Files.writeString(target, "checktimeout=4\n");
            assertTrue(changes.tryAcquire(30, TimeUnit.SECONDS), "edit of the target noticed");
        }
    }

    /** The symlink moves to a directory nobody watches: polling still follows it. */
    @Test
    void pollingFollowsASymlinkMovedToAnotherDirectory() throws Exception {
        Path a =
                Files.writeString(
                        Files.createDirectory(dir.resolve("a")).resolve("ld.cf"),
                        "checktimeout=3\n");
        Path b =
                Files.writeString(
                        Files.createDirectory(dir.resolve("b")).resolve("ld.cf"),
                        "checktimeout=3\n");
        Path link = Files.createSymbolicLink(dir.resolve("ldirectord.cf"), a);
        try (ConfigFollower.Watch w = watch(link)) {
            Path next = Files.createSymbolicLink(dir.resolve(".next"), b);
            Files.move(
                    next,
                    link,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            assertTrue(changes.tryAcquire(30, TimeUnit.SECONDS), "the link moved");
            changes.drainPermits();
            Files.writeString(b, "checktimeout=40\n");
            assertTrue(
                    changes.tryAcquire(30, TimeUnit.SECONDS), "edit in the new directory noticed");
        }
    }

    /**
     * The poll is due on whole seconds, where the engine's repair pass is due: one wake-up for
     * both.
     */
    @Test
    void aOneSecondPollIsDueOnWholeSeconds() throws Exception {
        List<Long> delays = new CopyOnWriteArrayList<>();
        ScheduledThreadPoolExecutor recording =
                new ScheduledThreadPoolExecutor(1) {
                    @Override
                    public ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
                        delays.add(unit.toMillis(delay));
                        return super.schedule(r, delay, unit);
                    }
                };
        Path f = Files.writeString(dir.resolve("ldirectord.cf"), "checktimeout=3\n");
        try {
            long before = System.currentTimeMillis();
            ConfigFollower.Watch w =
                    new ConfigFollower.Watch(f, Duration.ofSeconds(1), recording, changes::release);
            long after = System.currentTimeMillis();
            w.close();
            // the first poll may come due (and schedule the next) before close() on a busy machine
            // when the watch starts just before a whole second: only the first delay is the start's
            assertFalse(delays.isEmpty(), delays.toString());
            long d = delays.get(0);
            assertTrue(d > 0 && d <= 1000, "within one period: " + d);
            // the poll's clock reading lies between before and after: a whole second lies between
            // their due times
            assertTrue(
                    Math.floorDiv(after + d, 1000) * 1000 >= before + d,
                    "due on a whole second: " + before + " + " + d);
        } finally {
            recording.shutdownNow();
        }
    }
}
