#!/usr/bin/env python3
"""Minimal SMTP and DNS servers for real servers in the UML sandbox (httpd.py does HTTP).

    tinyd.py smtp BIND PORT   greets "220", answers HELO/EHLO/NOOP/RSET/MAIL/RCPT with 250, QUIT with 221
    tinyd.py dns BIND PORT    (UDP) answers every query with its question and one A record, 192.0.2.1

Only the socket and threading modules: every import costs seconds on User-Mode Linux.
"""
import socket
import sys
import threading


def smtp_session(conn):
    try:
        conn.settimeout(30)
        conn.sendall(b"220 tinyd ESMTP\r\n")
        data = b""
        while True:
            while b"\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            line, data = data.split(b"\n", 1)
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            conn.sendall(b"250 ok\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def smtp(family, bind, port):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((bind, port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=smtp_session, args=(conn,), daemon=True).start()


def question_end(query):
    """Offset just past the first question (name, type, class), or None when it is malformed."""
    i = 12
    while i < len(query):
        n = query[i]
        if n == 0:
            return i + 5 if i + 5 <= len(query) else None
        if n & 0xC0:
            return None
        i += 1 + n
    return None


def dns(family, bind, port):
    srv = socket.socket(family, socket.SOCK_DGRAM)
    srv.bind((bind, port))
    while True:
        query, peer = srv.recvfrom(4096)
        end = question_end(query) if len(query) >= 12 else None
        if end is None:
            continue
        # same id; QR=1, opcode 0, RD copied, RA=1, NOERROR; one question, one answer
        flags = bytes([0x80 | (query[2] & 0x01), 0x80])
        header = query[0:2] + flags + b"\x00\x01\x00\x01\x00\x00\x00\x00"
        answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 1])
        srv.sendto(header + query[12:end] + answer, peer)


def main():
    kind, bind, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    {"smtp": smtp, "dns": dns}[kind](family, bind, port)


if __name__ == "__main__":
    main()
