/**
 * Native sockets for ldirector: the only package that imports jnr-ffi. Public API: {@link
 * org.ldirector.sys.NativeSocket} (an owned descriptor with send/receive/poll/setsockopt), {@link
 * org.ldirector.sys.SockAddr} (netlink, IPv4, IPv6, unix addresses), {@link org.ldirector.sys.Sock}
 * and {@link org.ldirector.sys.Errno} constants, {@link org.ldirector.sys.NativeException}, {@link
 * org.ldirector.sys.Processes} (kill, setsid), and for the probe loop {@link
 * org.ldirector.sys.Epoll} (an epoll set with an eventfd wake-up) and {@link
 * org.ldirector.sys.TcpStream} (a non-blocking TCP connection).
 */
package org.ldirector.sys;
