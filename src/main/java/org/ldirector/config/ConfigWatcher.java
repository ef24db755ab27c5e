package org.ldirector.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.reloading.FileHandlerReloadingDetector;
import org.apache.commons.configuration2.reloading.ReloadingController;
import org.apache.commons.configuration2.reloading.ReloadingEvent;

/**
 * {@code autoreload=yes}: notices that ldirectord.cf changed on disk, within one polling period
 * (ldirectord polls every few seconds; ldirector defaults to a quarter second).
 *
 * <p>commons-configuration2's detector watches the modification time. Editors and config
 * management often replace the file instead of writing it (write a temp file, rename over), and
 * {@code cp -p} or rsync can bring an older time along; so the file's identity (inode) and size
 * count as a change too. Polling, rather than inotify, also follows a config that is a symlink
 * swapped to another directory.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigWatcher.class);
    private final java.util.concurrent.ScheduledFuture<?> polling;

    public ConfigWatcher(Path file, Duration period, ScheduledExecutorService executor, Runnable onChange) {
        FileHandler handler = new FileHandler();
        handler.setFile(file.toFile());
        IdentityAwareDetector detector = new IdentityAwareDetector(handler, file);
        ReloadingController controller = new ReloadingController(detector);
        controller.addEventListener(ReloadingEvent.ANY, event -> {
            // Arms the controller for the next change (without this it reports once only), and
            // before onChange: what the detector records as seen is the file as it is now, so an
            // edit made while onChange runs is the next change, not absorbed into this one.
            controller.resetReloadingState();
            onChange.run();
        });
        // Polled here rather than by commons' PeriodicReloadingTrigger: a periodic task that throws
        // once is never run again, and autoreload would stop without a word.
        polling = executor.scheduleWithFixedDelay(() -> {
            try {
                controller.checkForReloading(null);
            } catch (RuntimeException e) {
                LOG.warn("checking {} for changes failed; trying again", file, e);
                controller.resetReloadingState();
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        polling.cancel(false);
    }

    /** The modification time, as commons-configuration2 checks it, plus inode and size. */
    static final class IdentityAwareDetector extends FileHandlerReloadingDetector {
        private final Path file;
        private Object seen;

        IdentityAwareDetector(FileHandler handler, Path file) {
            // refresh delay 0: the trigger's period is the only pacing
            super(handler, 0);
            this.file = file;
            this.seen = identity();
            refresh();
        }

        @Override
        public boolean isReloadingRequired() {
            return super.isReloadingRequired() || !Objects.equals(seen, identity());
        }

        @Override
        public void reloadingPerformed() {
            super.reloadingPerformed();
            seen = identity();
        }

        private Object identity() {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return java.util.List.of(String.valueOf(a.fileKey()), a.size());
            } catch (IOException e) {
                // A file that is briefly missing mid-replace is not a change yet.
                return seen;
            }
        }
    }
}
