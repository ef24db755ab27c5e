package org.ldirector.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InetTextTest {
    /** Expected values are what glibc's inet_ntop prints (and so ipvsadm and ldirectord). */
    @ParameterizedTest
    @CsvSource({
        "10.77.1.11, 10.77.1.11, 10.77.1.11",
        "::1, ::1, [::1]",
        "::, ::, [::]",
        "2001:db8:0:0:0:0:0:10, 2001:db8::10, [2001:db8::10]",
        "fe80:0:0:1:0:0:0:1, fe80:0:0:1::1, [fe80:0:0:1::1]",
        "1:0:0:2:0:0:0:0, 1:0:0:2::, [1:0:0:2::]",
        "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6, [2001:db8:1:2:3:4:5:6]",
        "1:0:1:0:1:0:1:0, 1:0:1:0:1:0:1:0, [1:0:1:0:1:0:1:0]",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]",
    })
    void writesAddressesAsTheCLibraryDoes(String in, String ntop, String bracketed)
            throws Exception {
        InetAddress a = InetAddress.getByName(in);
        assertEquals(ntop, InetText.ntop(a));
        assertEquals(bracketed, InetText.bracketed(a));
    }

    /**
     * An address next to a port, as ipvsadm, ldirectord's logs, a SIP Via and a Host header write
     * it.
     */
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 80, 127.0.0.1:80",
        "::1, 53, [::1]:53",
        "::, 0, [::]:0",
        "2001:db8:0:0:1:0:0:1, 5060, [2001:db8::1:0:0:1]:5060",
        "2001:0db8:0000:0000:0000:0000:0002:0001, 443, [2001:db8::2:1]:443",
        "fe80:0:0:0:0:0:0:0, 65535, [fe80::]:65535",
        "0:0:1:0:0:0:1:0, 1, [0:0:1::1:0]:1"
    })
    void withPortBracketsOnlyIpv6(String address, int port, String expected) throws Exception {
        assertEquals(expected, InetText.withPort(InetAddress.getByName(address), port));
    }
}
