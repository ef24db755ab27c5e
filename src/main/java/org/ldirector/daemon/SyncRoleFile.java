package org.ldirector.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Consumer;
import org.ldirector.config.SyncConfig;
import org.ldirector.sync.KeptRole;

/**
 * The IPVS sync role last set by the {@code sync} verb ({@link RunFiles#syncRole()}), written by
 * the running daemon and, when none runs, by the verb itself for the next start.
 */
record SyncRoleFile(Path path) {

    /** The kept role; empty when there is none (or the file cannot be read or parsed). */
    Optional<SyncConfig.Role> read() {
        try {
            return SyncConfig.Role.parse(Files.readString(path));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Replaces the file in one rename, so a reader never sees half a word. The temporary file is
     * created anew and never through a symlink (a leftover one is removed first), and the rename
     * replaces whatever is at the path rather than writing through it.
     */
    void write(SyncConfig.Role role) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (OutputStream out =
                Files.newOutputStream(
                        tmp,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
            out.write((role.word() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * This file as the running daemon keeps the role in it: a write that fails is a warning to
     * {@code events}.
     */
    KeptRole kept(Consumer<String> events) {
        return new KeptRole() {
            @Override
            public Optional<SyncConfig.Role> read() {
                return SyncRoleFile.this.read();
            }

            @Override
            public void keep(SyncConfig.Role role) {
                try {
                    write(role);
                } catch (IOException e) {
                    events.accept(
                            "Warning: cannot keep the sync role in "
                                    + path
                                    + ": "
                                    + IoErrors.reason(e)
                                    + " (a restart will use syncdaemon from the config)");
                }
            }

            @Override
            public void forget() {
                delete();
            }

            @Override
            public String where() {
                return path.toString();
            }
        };
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a role file that cannot go is read again at the next start; nothing better to do here
        }
    }
}
