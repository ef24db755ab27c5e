package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The directive table drives both scopes: which names go where, retired names, and inheritance. */
class DirectivesTest {
    private static final Path F = Path.of("t.cf");

    private static List<String> errors(String text) {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ConfigParser.parse(text, F, new FixedResolver()));
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aRetiredNameIsRefusedWithItsReplacementAndNeverSuggested() {
        assertEquals(
                List.of(
                        "t.cf:1: timeout is no longer supported; use checktimeout and"
                                + " negotiatetimeout"),
                errors("timeout=3\nvirtual=192.0.2.1:80\n    real=192.0.2.10:80 gate\n"));
        // retired globally only: inside a block it is a word like any other
        assertEquals(
                List.of("t.cf:3: unknown directive 'timeout'"),
                errors("virtual=192.0.2.1:80\n    real=192.0.2.10:80 gate\n    timeout=3\n"));
        List<String> typo =
                errors("connecttimeou=3\nvirtual=192.0.2.1:80\n    real=192.0.2.10:80 gate\n");
        assertEquals(1, typo.size());
        assertTrue(
                typo.get(0).startsWith("t.cf:1: unknown directive 'connecttimeou'"), typo.get(0));
        assertFalse(typo.get(0).contains("did you mean 'connecttimeout'"), typo.get(0));
    }

    @Test
    void everyDirectiveBothScopesReadIsOneAVirtualInherits() {
        Set<String> both = new TreeSet<>(Directives.GLOBAL);
        both.retainAll(Directives.VIRTUAL);
        assertTrue(
                both.containsAll(
                        Set.of("checktimeout", "checkinterval", "quiescent", "fallback", "smtp")),
                both.toString());
        for (String name : both) {
            assertTrue(
                    Directives.lookup(name, Directives.Scope.GLOBAL).orElseThrow().inherited(),
                    name);
        }
        assertEquals(Optional.empty(), Directives.lookup("real", Directives.Scope.GLOBAL));
        assertEquals(Optional.empty(), Directives.lookup("fork", Directives.Scope.VIRTUAL));
    }

    @Test
    void aVirtualTakesItsOwnValueElseTheGlobalOneElseTheDefault() throws ConfigException {
        Config c =
                ConfigParser.parse(
                        """
                        checkinterval=7
                        quiescent=yes
                        failurecount=4
                        emailalert=ops@example.org
                        emailalertfreq=60
                        virtual=192.0.2.1:80
                            real=192.0.2.10:80 gate
                        virtual=192.0.2.2:80
                            real=192.0.2.10:80 gate
                            checkinterval=9
                            quiescent=no
                            emailalertfreq=5
                            successcount=2
                        """,
                        F,
                        new FixedResolver());
        VirtualConfig inherits = c.virtuals().get(0);
        VirtualConfig own = c.virtuals().get(1);
        assertEquals(Duration.ofSeconds(7), inherits.checkInterval());
        assertFalse(inherits.checkIntervalOwn());
        assertTrue(inherits.quiescent());
        assertEquals(4, inherits.failureCount());
        assertEquals(60, inherits.emailAlert().frequencySeconds());
        assertEquals(1, inherits.successCount()); // the default: given nowhere
        assertTrue(inherits.cleanstop());
        assertEquals(Duration.ofSeconds(9), own.checkInterval());
        assertTrue(own.checkIntervalOwn());
        assertFalse(own.quiescent());
        assertEquals(4, own.failureCount());
        assertEquals(Optional.of("ops@example.org"), own.emailAlert().to());
        assertEquals(5, own.emailAlert().frequencySeconds());
        assertEquals(2, own.successCount());
        assertEquals(Duration.ofSeconds(7), c.global().checkInterval());
    }
}
