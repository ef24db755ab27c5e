package org.ldirector.sys;

import java.io.IOException;

/** A failed system call: the call that failed, the errno, and libc's text for it. */
public class NativeException extends IOException {
    private final int errno;

    public NativeException(String call, int errno, String strerror) {
        super(call + ": " + strerror + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
