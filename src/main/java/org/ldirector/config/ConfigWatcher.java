package org.ldirector.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.reloading.FileHandlerReloadingDetector;
import org.apache.commons.configuration2.reloading.ReloadingController;
import org.apache.commons.configuration2.reloading.ReloadingEvent;
import org.ldirector.schedule.Grid;

/**
 * {@code autoreload=yes}: notices that ldirectord.cf changed on disk, at once where the kernel
 * says so (inotify, through the JDK's {@link WatchService}), and otherwise within one polling
 * period (ldirectord polls every second, or every checkinterval).
 *
 * <p>commons-configuration2's detector watches the modification time. Editors and config
 * management often replace the file instead of writing it (write a temp file, rename over), and
 * {@code cp -p} or rsync can bring an older time along; so the file's identity (inode) and size
 * count as a change too. inotify watches the file's directory and, for a symlinked config, the
 * target's; polling stays behind it for what inotify cannot see: a file system edited from
 * elsewhere (NFS, a User-Mode Linux hostfs edited from the host) and a symlink moved to another
 * directory. Waking only when something changed also keeps an idle director idle: polling four
 * times a second was a fifth of its system calls at ten reals.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigWatcher.class);
    private final Grid.Repetition polling;
    private final WatchService inotify;

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
        Runnable check = () -> {
            try {
                controller.checkForReloading(null);
            } catch (RuntimeException e) {
                LOG.warn("checking {} for changes failed; trying again", file, e);
                controller.resetReloadingState();
            }
        };
        // Polled here rather than by commons' PeriodicReloadingTrigger: a periodic task that throws
        // once is never run again, and autoreload would stop without a word.
        // On whole seconds (Grid), where the director's other periodic work is due: a poll then
        // costs no wake-up of its own.
        polling = Grid.repeat(executor, System::currentTimeMillis, period.toMillis(), "checking " + file + " for changes", check);
        inotify = watch(file, executor, check);
    }

    /** Runs {@code check} on the executor whenever the kernel reports a change to the file's name; null when it cannot. */
    private static WatchService watch(Path file, ScheduledExecutorService executor, Runnable check) {
        Set<Path> names = new LinkedHashSet<>();
        Path absolute = file.toAbsolutePath();
        names.add(absolute);
        try {
            names.add(absolute.toRealPath());
        } catch (IOException e) {
            // missing for now: polling will see it come
        }
        WatchService service = null;
        try {
            service = absolute.getFileSystem().newWatchService();
            for (Path p : names) {
                if (p.getParent() != null) {
                    p.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                }
            }
        } catch (IOException | RuntimeException e) {
            // out of inotify instances or watches (fs.inotify.max_user_*), or a file system without it
            LOG.warn("cannot watch {} for changes ({}); polling it instead", file, e.toString());
            if (service != null) {
                try {
                    service.close(); // its inotify instance, when only a watch could not be added
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            return null;
        }
        Set<Path> fileNames = new HashSet<>();
        names.forEach(p -> fileNames.add(p.getFileName()));
        WatchService watching = service;
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = watching.take();
                    boolean ours = false;
                    for (WatchEvent<?> e : key.pollEvents()) {
                        // an overflow lost the names: check rather than miss it
                        ours |= e.kind() == StandardWatchEventKinds.OVERFLOW || fileNames.contains(e.context());
                    }
                    if (ours) {
                        executor.execute(check);
                    }
                    key.reset(); // false when the directory is gone: polling carries on
                }
            } catch (ClosedWatchServiceException | InterruptedException | RejectedExecutionException e) {
                // closed, or the daemon is stopping
            }
        }, "ldirector-config-watch");
        t.setDaemon(true);
        t.start();
        return watching;
    }

    @Override
    public void close() {
        polling.cancel();
        if (inotify != null) {
            try {
                inotify.close();
            } catch (IOException e) {
                LOG.debug("closing the config watch failed", e);
            }
        }
    }

    /**
     * The modification time, as commons-configuration2 checks it, plus inode and size, all from
     * one stat(2) per look: commons' own lookup (locate the file, check it exists, read its time)
     * took four more, every second, on a director that is otherwise idle (strace of the loop
     * thread in User-Mode Linux: 116 newfstatat and 29 statx in 30 s before, 30 statx after).
     */
    static final class IdentityAwareDetector extends FileHandlerReloadingDetector {
        private final Path file;
        /** What the last look saw; null when the file was missing. */
        private BasicFileAttributes current;
        private Object seen;

        IdentityAwareDetector(FileHandler handler, Path file) {
            // refresh delay 0: the trigger's period is the only pacing
            super(handler, 0);
            this.file = file;
            refresh();
            this.seen = identity();
        }

        /** Reads the file's attributes for this look; 0 when it is missing, as commons does. */
        @Override
        protected long getLastModificationDate() {
            try {
                current = Files.readAttributes(file, BasicFileAttributes.class);
                return current.lastModifiedTime().toMillis();
            } catch (IOException e) {
                current = null;
                return 0;
            }
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

        /** Identity as of the last look (the refresh delay is 0, so every check looks). */
        private Object identity() {
            // A file that is briefly missing mid-replace is not a change yet.
            return current == null ? seen : java.util.List.of(String.valueOf(current.fileKey()), current.size());
        }
    }
}
