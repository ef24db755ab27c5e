/**
 * Native sockets for ldirector: the only package that imports jnr-ffi. Public API:
 * {@link org.ldirector.sys.NativeSocket} (an owned descriptor with send/receive/poll/setsockopt),
 * {@link org.ldirector.sys.SockAddr} (netlink, IPv4, IPv6, unix addresses), {@link org.ldirector.sys.Sock}
 * and {@link org.ldirector.sys.Errno} constants, {@link org.ldirector.sys.NativeException}, and
 * {@link org.ldirector.sys.Processes} (kill, setsid).
 */
package org.ldirector.sys;
