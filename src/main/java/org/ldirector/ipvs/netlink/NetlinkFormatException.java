package org.ldirector.ipvs.netlink;

/** A reply that does not parse as the netlink/IPVS layout we expect. */
public class NetlinkFormatException extends Exception {
    public NetlinkFormatException(String message) {
        super(message);
    }
}
