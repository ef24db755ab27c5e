package org.ldirector.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An epoll instance with an eventfd to wake it from other threads. Owned by one thread (the one
 * that calls {@link #await}); {@link #wakeup} is the only method other threads may call.
 *
 * <p>A descriptor leaves the set when it is closed, so there is no remove: one system call less per
 * connection than a {@code Selector}, which deregisters and then closes.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;

    /** Edge-triggered: an event is reported when readiness changes, not for as long as it lasts. */
    public static final int EPOLLET = 0x80000000;

    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    /**
     * struct epoll_event is {u32 events; u64 data}: packed on x86-64 (12 bytes, data at offset 4),
     * naturally aligned everywhere else (16 bytes, data at offset 8).
     */
    static final boolean PACKED = System.getProperty("os.arch", "").matches("amd64|x86_64");

    static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    /** The token {@link #await} reports for the wake-up eventfd; callers must never use it. */
    public static final long WAKEUP = -1;

    private final Native lib = Native.get();
    private final int epfd;
    private final int wakeFd;
    private final ByteBuffer events;
    private final int capacity;
    private final byte[] one = new byte[EVENT_SIZE];
    private final byte[] counter = new byte[8];
    private final Object lifecycle = new Object();
    private boolean closed;

    private Epoll(int epfd, int wakeFd, int capacity) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.capacity = capacity;
        this.events =
                ByteBuffer.allocateDirect(capacity * EVENT_SIZE).order(ByteOrder.nativeOrder());
    }

    /**
     * @param capacity how many ready descriptors one {@link #await} reports at most
     */
    public static Epoll open(int capacity) throws NativeException {
        Native lib = Native.get();
        int epfd = (int) lib.call("epoll_create1", () -> lib.libc.epoll_create1(EPOLL_CLOEXEC));
        int wake;
        try {
            wake = (int) lib.call("eventfd", () -> lib.libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        } catch (NativeException e) {
            lib.libc.close(epfd);
            throw e;
        }
        Epoll e = new Epoll(epfd, wake, capacity);
        try {
            e.control(EPOLL_CTL_ADD, wake, EPOLLIN, WAKEUP);
        } catch (NativeException x) {
            e.close();
            throw x;
        }
        return e;
    }

    /** Watches {@code fd} for {@code interest}; {@code token} comes back with its events. */
    public void add(int fd, int interest, long token) throws NativeException {
        control(EPOLL_CTL_ADD, fd, interest, token);
    }

    private void control(int op, int fd, int interest, long token) throws NativeException {
        ByteBuffer b = ByteBuffer.wrap(one).order(ByteOrder.nativeOrder());
        b.putInt(0, interest);
        b.putLong(DATA_OFFSET, token);
        lib.call("epoll_ctl", () -> lib.libc.epoll_ctl(epfd, op, fd, one));
    }

    /**
     * Waits up to {@code timeoutMillis} (0: do not wait, -1: for ever) and returns how many events
     * are ready; read them with {@link #token} and {@link #events}. An interrupted wait returns 0.
     */
    public int await(long timeoutMillis) throws NativeException {
        int t = (int) Math.max(-1, Math.min(timeoutMillis, Integer.MAX_VALUE));
        long n =
                lib.callAllowing(
                        "epoll_wait",
                        Errno.EINTR,
                        () -> lib.libc.epoll_wait(epfd, events, capacity, t));
        return (int) Math.max(0, n);
    }

    public long token(int i) {
        return events.getLong(i * EVENT_SIZE + DATA_OFFSET);
    }

    public int events(int i) {
        return events.getInt(i * EVENT_SIZE);
    }

    /** Any thread: makes the current or next {@link #await} return. */
    public void wakeup() {
        byte[] add = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).array();
        synchronized (lifecycle) {
            // never after close: the number may already belong to another descriptor
            if (!closed) {
                lib.libc.write(
                        wakeFd, add, 8); // EAGAIN only when the counter is full: it is awake anyway
            }
        }
    }

    /** Owner thread, after {@link #await} reported {@link #WAKEUP}: re-arms the wake-up. */
    public void drainWakeup() {
        lib.libc.read(wakeFd, counter, 8);
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            lib.libc.close(wakeFd);
            lib.libc.close(epfd);
        }
    }
}
