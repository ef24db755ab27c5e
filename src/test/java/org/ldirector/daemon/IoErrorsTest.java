package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** Issue 24: "cannot read F: F" — the JDK's messages name the path and leave out the reason. */
class IoErrorsTest {
    @Test
    void everyErrorNamesThePathAndTheSystemsReason() {
        assertEquals(
                "/etc/ha.d/x.cf: Permission denied (EACCES)",
                IoErrors.describe(new AccessDeniedException("/etc/ha.d/x.cf")));
        assertEquals(
                "/run/x: No such file or directory (ENOENT)",
                IoErrors.describe(new NoSuchFileException("/run/x")));
        assertEquals(
                "/var/log/l.log: Read-only file system (EROFS)",
                IoErrors.describe(
                        new FileSystemException("/var/log/l.log", null, "Read-only file system")));
        assertEquals(
                "/a: Too many levels of symbolic links (ELOOP)",
                IoErrors.describe(
                        new FileSystemException(
                                "/a",
                                null,
                                "Too many levels of symbolic links or unable to access attributes"
                                        + " of symbolic link")));
        assertEquals(
                "/d: Is a directory (EISDIR)",
                IoErrors.describe(new FileSystemException("/d", null, "Is a directory")));
        assertEquals(
                "Permission denied (EACCES)", IoErrors.reason(new AccessDeniedException("/x")));
        assertEquals(
                "Broken pipe",
                IoErrors.describe(new IOException("Broken pipe")),
                "no path known: the reason alone");
    }
}
