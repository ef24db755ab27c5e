package org.ldirector.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.reloading.FileHandlerReloadingDetector;
import org.apache.commons.configuration2.reloading.ReloadingController;
import org.apache.commons.configuration2.reloading.ReloadingEvent;
import org.ldirector.schedule.Grid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code autoreload=yes} and {@code callback}: follows ldirectord.cf on disk and reports a change
 * of its content once the file has held still.
 *
 * <p>Three steps, in this order. {@link Watch} notices that the file may have changed (inotify, and
 * polling behind it). The content's SHA-256 is then compared with the last one the daemon
 * {@linkplain #seen() saw}: a touch, or a file briefly missing mid-replace, is not a change. A
 * change is reported only once the file has held still for {@link #SETTLE}: a file written in place
 * ({@code cat new > ldirectord.cf}) is briefly empty or half written, and reloading that would
 * remove every virtual. Everything but {@link #seen} runs on the daemon's loop thread.
 */
final class ConfigFollower implements AutoCloseable {
    /**
     * How long a changed file must stay unchanged before it is read: a file written in place is
     * written in a few write() calls milliseconds apart, and each change restarts the wait; a
     * reload should not wait much longer than that.
     */
    static final Duration SETTLE = Duration.ofMillis(100);

    /**
     * Behind inotify, for what it cannot see (a config on NFS, or edited from outside a VM):
     * ldirectord's own pace in its forking mode.
     */
    static final Duration POLL = Duration.ofSeconds(1);

    private final Path file;
    private final ScheduledExecutorService loop;

    /**
     * The content last seen (read, or deliberately ignored); null when the file could not be read.
     */
    private volatile String digest;

    private Watch watch;

    /** Takes the file's content as it is now as seen; nothing is watched before {@link #follow}. */
    ConfigFollower(Path file, ScheduledExecutorService loop) {
        this.file = file;
        this.loop = loop;
        this.digest = digest(file);
    }

    /**
     * Starts watching. {@code changed} runs on the loop with the new content's digest; it marks
     * what it handled with {@link #seen()} or {@link #seen(String)}, or the same content is
     * reported again on the next sign of a change.
     */
    ConfigFollower follow(Consumer<String> changed) {
        watch = new Watch(file, POLL, loop, () -> onFileChanged(changed));
        return this;
    }

    /** The file as it is now has been handled (read, or found broken). */
    void seen() {
        digest = digest(file);
    }

    /** The content with this digest has been handled. */
    void seen(String handled) {
        digest = handled;
    }

    private void onFileChanged(Consumer<String> changed) {
        String now = digest(file);
        if (now == null || now.equals(digest)) {
            return; // touched, or briefly missing mid-replace: not a change of content
        }
        loop.schedule(() -> settled(changed, now), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void settled(Consumer<String> changed, String seen) {
        String now = digest(file);
        if (now != null && !now.equals(seen)) {
            // still changing: look again once it has held still
            loop.schedule(() -> settled(changed, now), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (now == null || now.equals(digest)) {
            return; // gone for now, or already handled
        }
        changed.accept(now);
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }

    static String digest(Path file) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Notices that the file may have changed on disk, at once where the kernel says so (inotify,
     * through the JDK's {@link WatchService}), and otherwise within one polling period (ldirectord
     * polls every second, or every checkinterval).
     *
     * <p>commons-configuration2's detector watches the modification time. Editors and config
     * management often replace the file instead of writing it (write a temp file, rename over), and
     * {@code cp -p} or rsync can bring an older time along; so the file's identity (inode) and size
     * count as a change too. inotify watches the file's directory and, for a symlinked config, the
     * target's; polling stays behind it for what inotify cannot see: a file system edited from
     * elsewhere (NFS, a User-Mode Linux hostfs edited from the host) and a symlink moved to another
     * directory. Waking only when something changed keeps an idle director idle, so polling stays
     * slow.
     */
    static final class Watch implements AutoCloseable {
        private static final Logger LOG = LoggerFactory.getLogger(ConfigFollower.class);
        private final Grid.Repetition polling;
        private final WatchService inotify;

        Watch(Path file, Duration period, ScheduledExecutorService executor, Runnable onChange) {
            FileHandler handler = new FileHandler();
            handler.setFile(file.toFile());
            IdentityAwareDetector detector = new IdentityAwareDetector(handler, file);
            ReloadingController controller = new ReloadingController(detector);
            controller.addEventListener(
                    ReloadingEvent.ANY,
                    event -> {
                        // Arms the controller for the next change (without this it reports once
                        // only), and
                        // before onChange: what the detector records as seen is the file as it is
                        // now, so an
                        // edit made while onChange runs is the next change, not absorbed into this
                        // one.
                        controller.resetReloadingState();
                        onChange.run();
                    });
            Runnable check =
                    () -> {
                        try {
                            controller.checkForReloading(null);
                        } catch (RuntimeException e) {
                            LOG.warn("checking {} for changes failed; trying again", file, e);
                            controller.resetReloadingState();
                        }
                    };
            // Polled here rather than by commons' PeriodicReloadingTrigger: a periodic task that
            // throws
            // once is never run again, and autoreload would stop without a word.
            // On whole seconds (Grid), where the director's other periodic work is due: a poll then
            // costs no wake-up of its own.
            polling =
                    Grid.repeat(
                            executor,
                            System::currentTimeMillis,
                            period.toMillis(),
                            "checking " + file + " for changes",
                            check);
            inotify = watch(file, executor, check);
        }

        /**
         * Runs {@code check} on the executor whenever the kernel reports a change to the file's
         * name; null when it cannot.
         */
        private static WatchService watch(
                Path file, ScheduledExecutorService executor, Runnable check) {
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
                        p.getParent()
                                .register(
                                        service,
                                        StandardWatchEventKinds.ENTRY_CREATE,
                                        StandardWatchEventKinds.ENTRY_MODIFY,
                                        StandardWatchEventKinds.ENTRY_DELETE);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // out of inotify instances or watches (fs.inotify.max_user_*), or a file system
                // without it
                LOG.warn(
                        "cannot watch {} for changes ({}); polling it instead", file, e.toString());
                if (service != null) {
                    try {
                        service.close(); // its inotify instance, when only a watch could not be
                        // added
                    } catch (IOException closing) {
                        e.addSuppressed(closing);
                    }
                }
                return null;
            }
            Set<Path> fileNames = new HashSet<>();
            names.forEach(p -> fileNames.add(p.getFileName()));
            WatchService watching = service;
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        WatchKey key = watching.take();
                                        boolean ours = false;
                                        for (WatchEvent<?> e : key.pollEvents()) {
                                            // an overflow lost the names: check rather than miss it
                                            ours |=
                                                    e.kind() == StandardWatchEventKinds.OVERFLOW
                                                            || fileNames.contains(e.context());
                                        }
                                        if (ours) {
                                            executor.execute(check);
                                        }
                                        key.reset(); // false when the directory is gone:
                                        // polling carries on
                                    }
                                } catch (ClosedWatchServiceException
                                        | InterruptedException
                                        | RejectedExecutionException e) {
                                    // closed, or the daemon is stopping
                                }
                            },
                            "ldirector-config-watch");
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
         * one stat(2) per look: commons' own lookup (locate the file, check it exists, read its
         * time) takes several, every poll, on a director that is otherwise idle.
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
                return current == null
                        ? seen
                        : List.of(String.valueOf(current.fileKey()), current.size());
            }
        }
    }
}
