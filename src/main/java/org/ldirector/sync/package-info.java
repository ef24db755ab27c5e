/**
 * The kernel's IPVS connection-sync daemon for a director pair: which role (master, backup, none)
 * the director plays, and keeping the kernel's sync threads to it. Knows the {@code IpvsTable} port
 * and the config's {@code syncdaemon} settings, nothing of checks or real servers.
 */
package org.ldirector.sync;
