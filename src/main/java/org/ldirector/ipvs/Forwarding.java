package org.ldirector.ipvs;

/**
 * How IPVS forwards to a destination: the low bits of the kernel's conn_flags
 * (IP_VS_CONN_F_FWD_MASK). ldirectord's gate/masq/ipip are ROUTE/MASQ/TUNNEL; LOCAL only ever comes
 * back from the kernel (a destination that is a local address).
 */
public enum Forwarding {
    MASQ(0, "Masq", "-m"),
    LOCAL(1, "Local", "-g"),
    TUNNEL(2, "Tunnel", "-i"),
    ROUTE(3, "Route", "-g");

    private final int code;
    private final String listName;
    private final String ipvsadmSwitch;

    Forwarding(int code, String listName, String ipvsadmSwitch) {
        this.code = code;
        this.listName = listName;
        this.ipvsadmSwitch = ipvsadmSwitch;
    }

    /** IP_VS_CONN_F_* value. */
    public int code() {
        return code;
    }

    /** The word ipvsadm -L prints in the Forward column. */
    public String listName() {
        return listName;
    }

    /** The switch ipvsadm -S writes. */
    public String ipvsadmSwitch() {
        return ipvsadmSwitch;
    }

    /** ldirectord.cf keywords: gate, masq, ipip. */
    public static Forwarding ofKeyword(String keyword) {
        return switch (keyword) {
            case "gate" -> ROUTE;
            case "masq" -> MASQ;
            case "ipip" -> TUNNEL;
            default ->
                    throw new IllegalArgumentException(
                            "forwarding method must be gate, masq or ipip: " + keyword);
        };
    }

    public static Forwarding ofCode(int connFlags) {
        int code = connFlags & 0x7;
        for (Forwarding f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported IPVS forwarding method " + code);
    }
}
