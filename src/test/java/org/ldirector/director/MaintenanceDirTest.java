package org.ldirector.director;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceDirTest {
    @TempDir Path dir;

    private final InetAddress real = addr("10.77.1.11");

    static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private MaintenanceDir named(String host) {
        return new MaintenanceDir(dir, a -> Optional.ofNullable(host));
    }

    @Test
    void triesLdirectordsNamesInItsOrder() {
        assertEquals(
                List.of(
                        "10.77.1.11:80",
                        "10.77.1.11",
                        "web1.example.org:80",
                        "web1.example.org",
                        "web1:80",
                        "web1"),
                named("web1.example.org").candidates(real, 80));
        assertEquals(List.of("10.77.1.11:80", "10.77.1.11"), named(null).candidates(real, 80));
    }

    @Test
    void noFileNoMaintenance() {
        assertEquals(Optional.empty(), named("web1.example.org").fileFor(real, 80));
    }

    @Test
    void eachNameFormTakesTheRealOut() throws Exception {
        for (String name :
                List.of(
                        "10.77.1.11:80",
                        "10.77.1.11",
                        "web1.example.org:80",
                        "web1.example.org",
                        "web1:80",
                        "web1")) {
            Path f = Files.createFile(dir.resolve(name));
            assertEquals(Optional.of(f), named("web1.example.org").fileFor(real, 80), name);
            Files.delete(f);
        }
    }

    @Test
    void aFileForAnotherPortDoesNotCount() throws Exception {
        Files.createFile(dir.resolve("10.77.1.11:443"));
        assertEquals(Optional.empty(), named(null).fileFor(real, 80));
    }
}
