package org.ldirector.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ldirector.config.Config;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.director.Director;
import org.ldirector.health.Health;
import org.ldirector.health.HealthBook;
import org.ldirector.health.ProbeKey;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.net.InetText;

/**
 * What {@code ldirector status} shows: every virtual and real as the checks and the kernel see them
 * at one moment. Immutable; taken on the engine's loop so the health and the kernel table belong
 * together.
 */
public record StatusSnapshot(Instant taken, List<Virtual> virtuals) {

    /**
     * @param inKernel whether the kernel has the virtual service
     * @param fallback the fallback server, if configured, and whether it is in the kernel now
     */
    public record Virtual(
            String id,
            String scheduler,
            boolean inKernel,
            Optional<String> fallback,
            boolean fallbackServing,
            List<RealStatus> reals) {}

    /**
     * @param health up, down, unknown (no verdict yet) or maintenance
     * @param kernelWeight the weight in the kernel, empty when the real is not in the table
     * @param failStreak checks failed in a row
     */
    public record RealStatus(
            String id,
            String health,
            Optional<Integer> kernelWeight,
            Optional<Instant> lastProbe,
            Optional<Duration> latency,
            String reason,
            int failStreak,
            int activeConnections,
            int inactiveConnections) {}

    static StatusSnapshot of(
            Config config,
            Map<ProbeKey, HealthBook.Entry> health,
            Set<ProbeKey> maintenance,
            List<ServiceDump> kernel,
            Instant now) {
        Map<ServiceKey, ServiceDump> byKey = new HashMap<>();
        kernel.forEach(d -> byKey.put(d.entry().service().key(), d));
        // the director's rule (maintenance, then checktype on/off, then the checks) decides each
        // real
        Director.Verdicts verdicts =
                Director.Verdicts.of(
                        (v, r) -> {
                            HealthBook.Entry e = health.get(ProbeKey.of(v, r));
                            return e == null ? Health.UNKNOWN : e.health();
                        },
                        (v, r) -> maintenance.contains(ProbeKey.of(v, r)));
        List<Virtual> virtuals = new ArrayList<>();
        for (VirtualConfig v : config.virtuals()) {
            ServiceDump dump;
            try {
                dump = byKey.get(Director.virtualService(v).key());
            } catch (RuntimeException e) {
                // a virtual the director cannot build (the engine logs why) is shown as not in the
                // kernel
                dump = null;
            }
            Map<Destination.DestinationKey, DestinationEntry> dests = new HashMap<>();
            if (dump != null) {
                dump.destinations().forEach(d -> dests.put(d.destination().key(), d));
            }
            List<RealStatus> reals = new ArrayList<>();
            for (Real r : v.reals()) {
                ProbeKey key = ProbeKey.of(v, r);
                HealthBook.Entry e = health.get(key);
                DestinationEntry d =
                        dests.get(
                                Director.destination(
                                                v,
                                                r.address(),
                                                r.port(),
                                                r.forward(),
                                                r.weight(),
                                                0,
                                                0)
                                        .key());
                String h =
                        maintenance.contains(key)
                                ? "maintenance"
                                : Director.verdict(v, r, verdicts).name().toLowerCase(Locale.ROOT);
                reals.add(
                        new RealStatus(
                                v.id(r).server(),
                                h,
                                Optional.ofNullable(d).map(x -> x.destination().weight()),
                                e == null ? Optional.empty() : e.lastProbe(),
                                e == null ? Optional.empty() : e.last().map(c -> c.latency()),
                                e == null ? "" : e.last().map(c -> c.reason()).orElse(""),
                                e == null ? 0 : e.failStreak(),
                                d == null ? 0 : d.activeConnections(),
                                d == null ? 0 : d.inactiveConnections()));
            }
            Optional<String> fallback =
                    v.fallback()
                            .map(f -> InetText.withPort(f.address(), v.fallbackPort().orElse(0)));
            boolean serving =
                    v.fallback().isPresent()
                            && dests.containsKey(
                                    Director.destination(
                                                    v,
                                                    v.fallback().get().address(),
                                                    v.fallbackPort().orElseThrow(),
                                                    v.fallback().get().forward(),
                                                    1,
                                                    0,
                                                    0)
                                            .key());
            virtuals.add(
                    new Virtual(
                            v.id().toString(),
                            v.scheduler(),
                            dump != null,
                            fallback,
                            serving,
                            List.copyOf(reals)));
        }
        return new StatusSnapshot(now, List.copyOf(virtuals));
    }
}
