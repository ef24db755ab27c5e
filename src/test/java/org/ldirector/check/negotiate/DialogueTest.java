package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DialogueTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1",
        "::1, [::1]",
        "::, [::]",
        "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]",
        "2001:0db8:0000:0000:0000:0000:0002:0001, [2001:db8::2:1]",
        "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]",
        "fe80:0:0:0:0:0:0:0, [fe80::]",
        "0:0:1:0:0:0:1:0, [0:0:1::1:0]"
    })
    void addressesAreWrittenAsInetNtopDoes(String address, String expected) throws Exception {
        assertEquals(expected, Dialogue.bracketed(InetAddress.getByName(address)));
    }
}
