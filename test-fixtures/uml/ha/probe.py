#!/usr/bin/env python3
"""Failover probe: one HTTP request to HOST:PORT every INTERVAL seconds with a TIMEOUT, one line per
request on stdout: "EPOCH ok|fail REASON". Stdlib socket only (started with python3 -S in UML).

    probe.py HOST PORT [INTERVAL] [TIMEOUT]
"""
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
req = ("GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % host).encode()

while True:
    start = time.time()
    result = "ok"
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        try:
            s.settimeout(timeout)
            s.sendall(req)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if not data.startswith(b"HTTP/1.0 200"):
                result = "fail bad-answer"
        finally:
            s.close()
    except OSError as e:
        result = "fail " + type(e).__name__
    sys.stdout.write("%.3f %s\n" % (start, result))
    sys.stdout.flush()
    rest = interval - (time.time() - start)
    if rest > 0:
        time.sleep(rest)
