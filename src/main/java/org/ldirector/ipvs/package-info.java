/**
 * The IPVS table as ldirector sees it: value types ({@link org.ldirector.ipvs.ServiceKey}, {@link
 * org.ldirector.ipvs.VirtualService}, {@link org.ldirector.ipvs.Destination}, read-back entries
 * with counters), the {@link org.ldirector.ipvs.IpvsTable} port with typed {@link
 * org.ldirector.ipvs.IpvsException}s, the in-memory fake, and {@code ipvsadm -Ln/-Sn} rendering.
 * The kernel implementation lives in {@code org.ldirector.ipvs.netlink}.
 */
package org.ldirector.ipvs;
