package org.ldirector.ipvs;

/** IPVS_CMD_GET_INFO: the version code (0x010201 = 1.2.1) and connection hash table size. */
public record IpvsInfo(int version, int connTableSize) {
    /** What the 6.1 kernel reports by default. */
    public static final IpvsInfo DEFAULT = new IpvsInfo(0x010201, 4096);

    /** "1.2.1" as ipvsadm prints it. */
    public String versionText() {
        return ((version >> 16) & 0xff) + "." + ((version >> 8) & 0xff) + "." + (version & 0xff);
    }
}
