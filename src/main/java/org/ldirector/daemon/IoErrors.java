package org.ldirector.daemon;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;

/**
 * The system's reason for a failed file operation, as {@code strerror (ENAME)}. The JDK's {@link
 * FileSystemException} messages are often the bare path (an AccessDeniedException says only
 * "/etc/x"), which leaves the operator guessing, so every daemon message goes through here.
 */
final class IoErrors {
    /**
     * strerror(3) texts the JDK puts in {@link FileSystemException#getReason()}, with their errno
     * names.
     */
    private static final Map<String, String> NAMES =
            Map.ofEntries(
                    Map.entry("Permission denied", "EACCES"),
                            Map.entry("Operation not permitted", "EPERM"),
                    Map.entry("No such file or directory", "ENOENT"),
                            Map.entry("Read-only file system", "EROFS"),
                    Map.entry("Is a directory", "EISDIR"), Map.entry("Not a directory", "ENOTDIR"),
                    Map.entry("Too many levels of symbolic links", "ELOOP"),
                            Map.entry("No space left on device", "ENOSPC"),
                    Map.entry("File exists", "EEXIST"), Map.entry("Disk quota exceeded", "EDQUOT"),
                    Map.entry("File name too long", "ENAMETOOLONG"),
                            Map.entry("Input/output error", "EIO"),
                    Map.entry("No such device or address", "ENXIO"),
                            Map.entry("Text file busy", "ETXTBSY"));

    private IoErrors() {}

    /** The reason alone: "Read-only file system (EROFS)". */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return named("No such file or directory");
        }
        if (e instanceof AccessDeniedException) {
            return named("Permission denied");
        }
        if (e instanceof FileAlreadyExistsException) {
            return named("File exists");
        }
        if (e instanceof NotDirectoryException) {
            return named("Not a directory");
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty (ENOTEMPTY)";
        }
        if (e instanceof FileSystemLoopException) {
            return named("Too many levels of symbolic links");
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return named(f.getReason());
        }
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    /** The path and the reason: "/var/log/x.log: Read-only file system (EROFS)". */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile()
                    + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "")
                    + ": "
                    + reason(e);
        }
        return reason(e);
    }

    private static String named(String text) {
        // The JDK sometimes extends the text ("... or unable to access attributes of symbolic
        // link").
        for (Map.Entry<String, String> n : NAMES.entrySet()) {
            if (text.startsWith(n.getKey())) {
                return n.getKey() + " (" + n.getValue() + ")";
            }
        }
        return text;
    }
}
