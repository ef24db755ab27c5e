package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemNameResolverTest {
    @TempDir Path dir;

    @Test
    void servicesByProtocolAndAliasAsGetservbyname() throws Exception {
        Path services =
                Files.writeString(
                        dir.resolve("services"),
                        """
                        # comment line
                        http\t\t80/tcp\t\twww\t# WorldWideWeb HTTP
                        domain\t\t53/tcp
                        domain\t\t53/udp
                        odd\t\t7/udp
                        broken line
                        """);
        SystemNameResolver r = new SystemNameResolver(services);
        assertEquals(Optional.of(80), r.service("www", "tcp"));
        assertEquals(Optional.of(80), r.service("http", ""));
        assertEquals(Optional.empty(), r.service("http", "udp"));
        assertEquals(Optional.of(53), r.service("domain", "udp"));
        assertEquals(
                Optional.of(7),
                r.service("odd", ""),
                "empty protocol means any, as Perl passes NULL");
        assertEquals(Optional.empty(), r.service("line", ""));
    }

    @Test
    void literalsResolvePerFamilyOnly() {
        SystemNameResolver r = new SystemNameResolver(dir.resolve("missing"));
        assertEquals(
                "10.77.0.1",
                r.host("10.77.0.1", AddressFamily.INET).orElseThrow().getHostAddress());
        assertEquals(Optional.empty(), r.host("10.77.0.1", AddressFamily.INET6));
        assertEquals(Optional.empty(), r.host("::1", AddressFamily.INET));
        assertEquals(Optional.empty(), r.host("", AddressFamily.INET));
        assertEquals(Optional.empty(), r.service("http", "tcp"), "no services file, no names");
        assertFalse(r.localHostName().isEmpty());
    }
}
