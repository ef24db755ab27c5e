package org.ldirector.check.negotiate;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.Checker;
import org.ldirector.config.ServiceType;

/**
 * The negotiate dialogues other than HTTP(S): one small class per dialogue in this package, all
 * driven by {@link DialogueChecker} (blocking sockets on {@code blockingIo}, deadline kept by
 * {@code timer}). Services ldirectord checks with one routine share one class here too:
 * smtp/submission, pop/pops, imap/imaps, ldap/ldaps, mysql/pgsql.
 */
public final class Negotiators {
    private Negotiators() {}

    /**
     * The checker for a service's negotiate dialogue, or empty when this package has none (http,
     * https and http_proxy live in the http package; oracle needs a proprietary driver).
     *
     * @param blockingIo where dialogues that use blocking sockets run (never a scheduler thread)
     * @param timer for enforcing total deadlines
     */
    public static Optional<Checker> forService(
            ServiceType type, ExecutorService blockingIo, ScheduledExecutorService timer) {
        return forService(type, blockingIo, timer, BoundedMatch.standard());
    }

    /**
     * @param match the limit every receive regex runs under
     */
    public static Optional<Checker> forService(
            ServiceType type,
            ExecutorService blockingIo,
            ScheduledExecutorService timer,
            BoundedMatch match) {
        return forService(type, blockingIo, timer, System::nanoTime, match);
    }

    static Optional<Checker> forService(
            ServiceType type,
            ExecutorService blockingIo,
            ScheduledExecutorService timer,
            LongSupplier nanoTime) {
        return forService(type, blockingIo, timer, nanoTime, BoundedMatch.standard());
    }

    static Optional<Checker> forService(
            ServiceType type,
            ExecutorService blockingIo,
            ScheduledExecutorService timer,
            LongSupplier nanoTime,
            BoundedMatch match) {
        Conversation c =
                switch (type) {
                    case FTP -> new FtpCheck();
                    case SMTP -> new SmtpCheck("smtp");
                    case SUBMISSION -> new SmtpCheck("submission");
                    case POP -> new PopCheck(false);
                    case POPS -> new PopCheck(true);
                    case IMAP -> new ImapCheck(false);
                    case IMAPS -> new ImapCheck(true);
                    case NNTP -> new NntpCheck();
                    case LDAP -> new LdapCheck(false);
                    case LDAPS -> new LdapCheck(true);
                    case DNS -> new DnsCheck(Duration.ofSeconds(5));
                    case MYSQL -> new SqlCheck(SqlCheck.Kind.MYSQL);
                    case PGSQL -> new SqlCheck(SqlCheck.Kind.PGSQL);
                    case SIP -> new SipCheck();
                    case RADIUS -> new RadiusCheck();
                    case SIMPLETCP -> new SimpleTcpCheck();
                    case NONE, HTTP, HTTPS, HTTP_PROXY, ORACLE -> null;
                };
        if (type == ServiceType.NONE) {
            return Optional.of(new NoneCheck());
        }
        return Optional.ofNullable(c)
                .map(
                        conv ->
                                new DialogueChecker(
                                        type.keyword(), conv, blockingIo, timer, nanoTime, match));
    }
}
