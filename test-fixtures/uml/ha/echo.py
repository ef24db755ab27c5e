#!/usr/bin/env python3
"""Many long-lived TCP connections for the failover benchmark. Stdlib only (python3 -S in UML).

    echo.py server PORT
        echoes every byte back, any number of connections (selectors, one thread).
    echo.py client HOST PORT N TFILE
        opens N connections to HOST:PORT (paced), each sends "p\\n" once a second (one ping in flight
        per connection) and expects it back. Prints "status EPOCH up=.. broken=.. waiting=.. connecting=.."
        once a second (waiting: a ping unanswered for more than 1 s). On SIGTERM reads the failover
        time T and the time the VIP moved, TV (epoch seconds, "T TV"), from TFILE and prints one line:
        "result conns=N established=E survived=S broken=B stalled=X stall_ms_p50=.. stall_ms_p99=.. stall_ms_max=.."
        broken: reset/closed/error; survived: not broken and answered a ping after TV; stalled: neither;
        stall: per survivor, the longest time between two answers from T - 2 s on (a ping a second:
        ~1000 ms means the failover went unnoticed).
"""
import errno
import resource
import selectors
import signal
import socket
import sys
import time


def server(port):
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1024)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is ls:
                try:
                    c, _ = ls.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                continue
            try:
                s.send(data)
            except OSError:
                pass


class Conn:
    __slots__ = ("sock", "state", "oks", "sent", "next_ping", "reason", "broken_at", "buf")

    def __init__(self):
        self.sock = None
        self.state = "new"
        self.oks = []
        self.sent = None
        self.next_ping = 0.0
        self.reason = ""
        self.broken_at = None
        self.buf = b""


def client(host, port, n, tfile):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(n + 64, soft)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        pass
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    sel = selectors.DefaultSelector()
    conns = [Conn() for _ in range(n)]
    opened = 0
    start = time.time()
    last_status = 0.0

    def broken(c, why):
        if c.state == "broken":
            return
        c.state = "broken"
        c.reason = why
        c.broken_at = time.time()
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    while not stop:
        now = time.time()
        # Pace the opening: 50 connections per 50 ms tick at most.
        batch = 0
        while opened < n and batch < 50:
            c = conns[opened]
            s = socket.socket()
            s.setblocking(False)
            c.sock = s
            err = s.connect_ex((host, port))
            if err not in (0, errno.EINPROGRESS):
                c.state = "broken"
                c.reason = "connect:" + errno.errorcode.get(err, str(err))
                c.broken_at = now
            else:
                c.state = "connecting"
                sel.register(s, selectors.EVENT_WRITE, c)
                # Spread the pings over the second.
                c.next_ping = now + 1.0 + (opened % 100) / 100.0
            opened += 1
            batch += 1
        for key, ev in sel.select(timeout=0.05):
            c = key.data
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    broken(c, "connect:" + errno.errorcode.get(err, str(err)))
                    continue
                c.state = "up"
                sel.modify(c.sock, selectors.EVENT_READ, c)
                continue
            try:
                data = c.sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                broken(c, errno.errorcode.get(e.errno, str(e.errno)))
                continue
            if not data:
                broken(c, "closed")
                continue
            c.buf += data
            while b"\n" in c.buf:
                _, c.buf = c.buf.split(b"\n", 1)
                if c.sent is not None:
                    c.oks.append(time.time())
                    c.sent = None
        now = time.time()
        for c in conns:
            if c.state == "up" and c.sent is None and now >= c.next_ping:
                try:
                    c.sock.send(b"p\n")
                    c.sent = now
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as e:
                    broken(c, errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                c.next_ping += 1.0
                if c.next_ping < now:
                    c.next_ping = now + 1.0
        if now - last_status >= 1.0:
            last_status = now
            counts = {"up": 0, "broken": 0, "connecting": 0, "new": 0}
            waiting = 0
            for c in conns:
                counts[c.state] += 1
                if c.state == "up" and c.sent is not None and now - c.sent > 1.0:
                    waiting += 1
            sys.stdout.write("status %.3f up=%d broken=%d waiting=%d connecting=%d answered=%d\n" % (
                now, counts["up"], counts["broken"], waiting, counts["connecting"] + counts["new"],
                sum(1 for c in conns if c.oks)))
            sys.stdout.flush()

    try:
        with open(tfile) as f:
            times = [float(x) for x in f.read().split()]
        t, t_vip = times[0], times[-1]
    except (OSError, ValueError, IndexError):
        t = t_vip = None
    established = sum(1 for c in conns if c.oks)
    survived = broken_n = stalled = 0
    stalls = []
    reasons = {}
    for c in conns:
        if not c.oks or t is None:
            continue
        if c.state == "broken":
            broken_n += 1
            reasons[c.reason] = reasons.get(c.reason, 0) + 1
        elif any(x > t_vip for x in c.oks):
            survived += 1
            # The longest silence from 2 s before the failover on (consecutive answers).
            window = [x for x in c.oks if x >= t - 2]
            stalls.append(max((b - a for a, b in zip(window, window[1:])), default=0.0))
        else:
            stalled += 1
    stalls.sort()

    def pct(p):
        if not stalls:
            return -1
        return int(stalls[min(len(stalls) - 1, int(len(stalls) * p))] * 1000)

    sys.stdout.write("result conns=%d established=%d survived=%d broken=%d stalled=%d "
                     "stall_ms_p50=%d stall_ms_p99=%d stall_ms_max=%d reasons=%s\n" % (
                         n, established, survived, broken_n, stalled, pct(0.5), pct(0.99),
                         int(stalls[-1] * 1000) if stalls else -1,
                         ",".join("%s:%d" % kv for kv in sorted(reasons.items())) or "-"))
    sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
