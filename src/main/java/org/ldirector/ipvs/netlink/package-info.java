/**
 * IPVS over generic netlink: pure codec ({@link org.ldirector.ipvs.netlink.MessageWriter}, {@link
 * org.ldirector.ipvs.netlink.Attributes}, {@link org.ldirector.ipvs.netlink.NlMessage}, {@link
 * org.ldirector.ipvs.netlink.IpvsCodec}; ByteBuffer in, records out), constants mirroring
 * linux/ip_vs.h ({@link org.ldirector.ipvs.netlink.IpvsGenl}), and {@link
 * org.ldirector.ipvs.netlink.NetlinkIpvsTable} on a {@link
 * org.ldirector.ipvs.netlink.NetlinkTransport} (the real one is a {@code
 * org.ldirector.sys.NativeSocket}).
 */
package org.ldirector.ipvs.netlink;
