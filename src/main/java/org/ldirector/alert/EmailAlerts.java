package org.ldirector.alert;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ldirector.config.Config;
import org.ldirector.config.DaemonState;
import org.ldirector.config.EmailAlert;
import org.ldirector.config.VirtualConfig;
import org.ldirector.engine.EngineListener;
import org.ldirector.net.VirtualId;
import org.ldirector.reconcile.Reconciler;

/**
 * ldirectord's email alerts. Every change of a real or fallback server in the kernel mails its log
 * line as the subject (a quiesced re-add as "Quiescent ..."); a real taken out (deleted or
 * quiesced) is mailed again as "Inaccessible real server: ..." every {@code emailalertfreq} seconds
 * until it is back; {@code emailalertstatus} picks the daemon states that mail at all. Sending
 * happens on the injected executor, never on the engine's loop.
 */
public final class EmailAlerts implements EngineListener, AutoCloseable {
    private static final Pattern CHANGE =
            Pattern.compile(
                    "^(?:Readd )?(Added|Deleted|Quiescent|Restored|Purged) (real|fallback)"
                            + " server(?: \\([^)]*\\))?: (\\S+) \\((.+?)\\)");
    private static final Path SENDMAIL = Path.of("/usr/sbin/sendmail");

    /** The local MTA's SMTP listener (Postfix and Exim listen on loopback by default). */
    static final String LOCAL_SMTP = "127.0.0.1";

    /**
     * A real that is out, within its virtual: tcp and udp on one VIP:port log the same text
     * ("10.0.0.2:53 (10.0.0.1:53)", ldirectord's wording) but are two virtuals with a reminder
     * each.
     */
    private record Out(VirtualId virtual, String real) {}

    /**
     * A real that is out and is mailed about again while it stays out; {@code text} names it in the
     * mail.
     */
    private record Reminder(VirtualConfig virtual, String text, Instant alerted) {}

    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Consumer<String> log;
    private final String hostname;
    private final String user;
    private final int smtpPort;
    private final Path sendmail;

    /**
     * This process cannot gain privileges (NoNewPrivileges=yes, as under the systemd units): a
     * local sendmail that queues through a setgid or setuid helper (Postfix's postdrop, Exim)
     * cannot work then, and Postfix's postdrop retries for ever instead of failing.
     */
    private final boolean noNewPrivileges;

    private final SmtpClient smtp = new SmtpClient(Duration.ofSeconds(30));
    private final Map<Out, Reminder> reminders = new ConcurrentHashMap<>();

    /**
     * The once-a-second reminder check, running only while some real is out: an idle director stays
     * idle.
     */
    private ScheduledFuture<?> resend;

    private boolean closed;
    private volatile DaemonState state = DaemonState.STARTING;

    /**
     * @param executor runs the sending and the once-a-second reminder check
     * @param log the operator log ("emailalert: ..." and failures, in ldirectord's words)
     */
    public EmailAlerts(
            ScheduledExecutorService executor,
            Clock clock,
            Consumer<String> log,
            String hostname,
            String user) {
        this(
                executor,
                clock,
                log,
                hostname,
                user,
                25,
                SENDMAIL,
                noNewPrivileges(Path.of("/proc/self/status")));
    }

    /**
     * @param smtpPort 25 in service; a test's own relay listens elsewhere
     */
    EmailAlerts(
            ScheduledExecutorService executor,
            Clock clock,
            Consumer<String> log,
            String hostname,
            String user,
            int smtpPort) {
        this(executor, clock, log, hostname, user, smtpPort, SENDMAIL, false);
    }

    /**
     * @param sendmail the local mailer used without smtp=
     * @param noNewPrivileges whether this process may not gain privileges (see {@link
     *     #noNewPrivileges(Path)})
     */
    EmailAlerts(
            ScheduledExecutorService executor,
            Clock clock,
            Consumer<String> log,
            String hostname,
            String user,
            int smtpPort,
            Path sendmail,
            boolean noNewPrivileges) {
        this.smtpPort = smtpPort;
        this.sendmail = sendmail;
        this.noNewPrivileges = noNewPrivileges;
        this.executor = executor;
        this.clock = clock;
        this.log = log;
        this.hostname = hostname;
        this.user = user;
    }

    /** Starts or stops the reminder check as reminders come and go. */
    private synchronized void remindersChanged() {
        if (reminders.isEmpty() || closed) {
            if (resend != null) {
                resend.cancel(false);
                resend = null;
            }
        } else if (resend == null) {
            resend = executor.scheduleWithFixedDelay(this::remind, 1, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void daemonState(DaemonState s) {
        state = s;
    }

    @Override
    public void configured(Config config) {
        Set<VirtualId> virtuals = new HashSet<>();
        config.virtuals().forEach(v -> virtuals.add(v.id()));
        reminders.keySet().removeIf(out -> !virtuals.contains(out.virtual()));
        remindersChanged();
    }

    @Override
    public void applied(Optional<VirtualConfig> virtual, Reconciler.Step step, boolean ok) {
        Matcher m = CHANGE.matcher(step.message());
        if (!ok || virtual.isEmpty() || !m.find()) {
            return;
        }
        String subject = step.message().replaceFirst("^Readd ", "");
        String kind = m.group(1);
        // ldirectord reminds of a real that went out (deleted or quiesced); a fallback or purge
        // never
        boolean remind =
                m.group(2).equals("real") && (kind.equals("Deleted") || kind.equals("Quiescent"));
        Instant now = clock.instant();
        DaemonState at = state; // the state when it happened, not when the mail goes out
        Out out = new Out(virtual.get().id(), m.group(3));
        executor.execute(
                () ->
                        alert(
                                virtual.get(),
                                subject,
                                out,
                                m.group(3) + " (" + m.group(4) + ")",
                                remind ? Optional.of(now) : Optional.empty(),
                                at));
    }

    private void remind() {
        Instant now = clock.instant();
        for (Map.Entry<Out, Reminder> e : reminders.entrySet()) {
            Reminder r = e.getValue();
            int freq = r.virtual().emailAlert().frequencySeconds();
            if (freq > 0 && !now.isBefore(r.alerted().plusSeconds(freq))) {
                alert(
                        r.virtual(),
                        "Inaccessible real server: " + r.text(),
                        e.getKey(),
                        r.text(),
                        Optional.of(now),
                        state);
            }
        }
    }

    /** ldirectord's ld_emailalert_send. */
    private void alert(
            VirtualConfig v,
            String subject,
            Out out,
            String text,
            Optional<Instant> remindFrom,
            DaemonState state) {
        EmailAlert settings = v.emailAlert();
        if (remindFrom.isEmpty() || settings.frequencySeconds() == 0) {
            reminders.remove(out);
        } else {
            reminders.put(out, new Reminder(v, text, remindFrom.get()));
        }
        remindersChanged();
        if (!settings.states().contains(state)
                || settings.to().isEmpty()
                || settings.to().get().isBlank()) {
            return;
        }
        log.accept("emailalert: " + subject);
        String fullSubject = v.serviceName().map(n -> "[" + n + "] ").orElse("") + subject;
        StringBuilder details = new StringBuilder();
        v.serviceName().ifPresent(n -> details.append("Service name: ").append(n).append('\n'));
        v.comment().ifPresent(c -> details.append("Comment: ").append(c).append('\n'));
        String from = user + "@" + hostname;
        String to = settings.to().get();
        String message =
                "From: "
                        + settings.from().orElse(from)
                        + "\n"
                        + "To: "
                        + to
                        + "\n"
                        + "Subject: "
                        + fullSubject
                        + "\n\n"
                        + "ldirector host: "
                        + hostname
                        + "\n"
                        + "Log-Message: "
                        + subject
                        + "\n"
                        + "Daemon-Status: "
                        + state.keyword()
                        + "\n"
                        + (details.length() == 0 ? "" : "\n" + details + "\n");
        List<String> rcpts =
                Arrays.stream(to.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (settings.smtp().isPresent()) {
            try {
                smtp.send(settings.smtp().get(), smtpPort, hostname, from, rcpts, message);
            } catch (IOException e) {
                log.accept("failed to send SMTP email message: " + e.getMessage());
            }
        } else if (noNewPrivileges) {
            // Under the sandbox the local MTA's SMTP listener first, then sendmail for the mailers
            // that relay by themselves (msmtp, ssmtp), which need no privilege.
            try {
                smtp.send(LOCAL_SMTP, smtpPort, hostname, from, rcpts, message);
            } catch (IOException e) {
                String viaSmtp = e.getMessage();
                Optional<String> failed = sendmail(message, Duration.ofSeconds(20));
                failed.ifPresent(
                        why ->
                                log.accept(
                                        "failed to send email message: no smtp=, and this process"
                                                + " cannot gain privileges (NoNewPrivileges=yes, as"
                                                + " under systemd), so neither SMTP on "
                                                + LOCAL_SMTP
                                                + ":"
                                                + smtpPort
                                                + " ("
                                                + viaSmtp
                                                + ") nor "
                                                + why
                                                + " took it; set smtp= to a mail relay,"
                                                + " or run a local MTA that listens on "
                                                + LOCAL_SMTP
                                                + ":"
                                                + smtpPort));
            }
        } else {
            sendmail(message, Duration.ofSeconds(60))
                    .ifPresent(why -> log.accept("failed to send email message: " + why));
        }
    }

    /** Whether /proc/self/status says NoNewPrivs: 1 (false where it cannot be read). */
    static boolean noNewPrivileges(Path procStatus) {
        try {
            return Files.readAllLines(procStatus).stream()
                    .anyMatch(l -> l.matches("NoNewPrivs:\\s*1\\s*"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Without smtp=, ldirectord's Mail::Send hands the message to the local mailer; so do we.
     *
     * @return why it failed, if it did
     */
    private Optional<String> sendmail(String message, Duration wait) {
        if (!Files.isExecutable(sendmail)) {
            return Optional.of("no smtp= and no " + sendmail);
        }
        try {
            Process p =
                    new ProcessBuilder(sendmail.toString(), "-t", "-i")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(message.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a sendmail that quits before reading says why in its exit status, asked below
            }
            if (!p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                String why = "sendmail " + (p.isAlive() ? "hung" : "exited " + p.exitValue());
                p.destroyForcibly();
                return Optional.of(why);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("sendmail interrupted");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        remindersChanged();
    }
}
