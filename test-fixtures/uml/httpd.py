#!/usr/bin/env python3
"""Tiny HTTP/1.0 server for the UML sandbox's real servers.

    httpd.py NAME [PORT] [BIND]

GET /          -> NAME
GET /health    -> OK
GET /bytes/N   -> N bytes of "x" (for long downloads through the VIP)
GET /raw/BODY  -> BODY percent-decoded, byte for byte (e.g. /raw/ok%0Ddone answers "ok\\rdone"), for
                  receive= checks against bodies with control characters
anything else  -> 404

Environment (both optional):
  HTTPD_DOCROOT=DIR  every path is served from DIR instead (200 with the file's bytes; 404 when the
                     file is missing; a path ending in / is its index.html), so a test changes a
                     body or a status by editing DIR
  HTTPD_TLS=PEM      TLS with the certificate and key in PEM (an https real)

Only the socket and threading modules: http.server drags in email/html/mimetypes, and every import
costs seconds on User-Mode Linux's slow syscalls.
"""
import os
import socket
import sys
import threading

NAME = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 80
BIND = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"
CHUNK = b"x" * 65536
DOCROOT = os.environ.get("HTTPD_DOCROOT")
TLS_CONTEXT = None
if os.environ.get("HTTPD_TLS"):
    import ssl  # only then: every import costs seconds on User-Mode Linux
    TLS_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    TLS_CONTEXT.load_cert_chain(os.environ["HTTPD_TLS"])


def respond(conn, status, body=None, length=None):
    length = len(body) if body is not None else length
    conn.sendall(("HTTP/1.0 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                  "Connection: close\r\n\r\n" % (status, length)).encode())
    if body is not None:
        conn.sendall(body)


def percent_decode(text):
    """%XX escapes to their bytes, everything else as is (latin-1); urllib costs an import."""
    raw = text.encode("latin-1")
    out = bytearray()
    i = 0
    while i < len(raw):
        hexpair = raw[i + 1:i + 3]
        if raw[i] == 0x25 and len(hexpair) == 2 and all(c in b"0123456789abcdefABCDEF" for c in hexpair):
            out.append(int(hexpair, 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def from_docroot(conn, path):
    """DOCROOT/path (no .. components): 200 with its bytes, or 404."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if path.endswith("/"):
        parts.append("index.html")
    if ".." in parts:
        respond(conn, "404 Not Found", b"not found\n")
        return
    try:
        with open(os.path.join(DOCROOT, *parts), "rb") as f:
            body = f.read()
    except OSError:
        respond(conn, "404 Not Found", b"not found\n")
        return
    respond(conn, "200 OK", body)


def handle(conn):
    try:
        conn.settimeout(30)
        if TLS_CONTEXT:
            conn = TLS_CONTEXT.wrap_socket(conn, server_side=True)
        data = b""
        while b"\r\n\r\n" not in data and b"\n\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        parts = data.split(b" ", 2)
        path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
        path = path.split("?", 1)[0]
        if DOCROOT:
            from_docroot(conn, path)
        elif path in ("/", "/index.html"):
            respond(conn, "200 OK", (NAME + "\n").encode())
        elif path == "/health":
            respond(conn, "200 OK", b"OK\n")
        elif path.startswith("/bytes/") and path[7:].isdigit():
            n = int(path[7:])
            respond(conn, "200 OK", length=n)
            while n > 0:
                piece = CHUNK[:min(n, len(CHUNK))]
                conn.sendall(piece)
                n -= len(piece)
        elif path.startswith("/raw/"):
            respond(conn, "200 OK", percent_decode(path[5:]))
        else:
            respond(conn, "404 Not Found", b"not found\n")
    except OSError:
        pass
    finally:
        conn.close()


def main():
    family = socket.AF_INET6 if ":" in BIND else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((BIND, PORT))
    srv.listen(128)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
