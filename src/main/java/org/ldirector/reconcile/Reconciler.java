package org.ldirector.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.ldirector.config.VirtualConfig;
import org.ldirector.director.DesiredTable;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * Makes the kernel table match the desired one with the fewest operations, touching only the
 * virtual services ldirector owns (those in its config, and those it owned before a reload).
 *
 * <p>Each pass reads back what it covers (a whole pass: the whole table), so an entry someone
 * deleted or changed by hand is put back on the next whole pass and logged as a repair; a failed
 * operation is logged and simply tried again next pass, and never stops the others. Order: services
 * are added or changed before their destinations; within a service, additions come before deletions
 * so a virtual is never left with nothing to send to while its fallback swaps in or out; services
 * no longer configured go last. It never flushes.
 *
 * <p>Log lines use ldirectord's wording ("Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set
 * to 1)", the virtual as {@link org.ldirector.net.VirtualId#vip()} prints it) so existing greps
 * keep working. Not thread-safe: one reconcile loop owns it.
 */
public final class Reconciler {

    /** One planned change and the line the log gets when it succeeds. */
    public record Step(IpvsOp op, String message, boolean repair) {}

    /** What a pass did. */
    public record Outcome(int applied, int failed, int repairs) {}

    /** Hears every applied step with the virtual it belongs to (email alerts and metrics). */
    public interface StepListener {
        StepListener NONE = (virtual, step, ok) -> {};

        /**
         * @param virtual empty for an adopted entry with no config behind it
         */
        void applied(Optional<VirtualConfig> virtual, Step step, boolean ok);
    }

    private final IpvsTable table;
    private final Consumer<String> log;
    private final StepListener listener;
    private Map<ServiceKey, DesiredTable.Service> last = Map.of();

    /**
     * Steps that failed, by their log message, with the error logged for each: a step that fails
     * the same way pass after pass is logged once, and again only when its error changes or after
     * it succeeded. Its listener still hears every attempt.
     */
    private final Map<String, String> failing = new HashMap<>();

    public Reconciler(IpvsTable table, Consumer<String> log) {
        this(table, log, StepListener.NONE);
    }

    public Reconciler(IpvsTable table, Consumer<String> log, StepListener listener) {
        this.table = table;
        this.log = log;
        this.listener = listener;
    }

    /**
     * One pass: read, plan, apply.
     *
     * @param tag ldirectord's word for purges of stale entries: "start" or "reload"
     */
    public Outcome reconcile(DesiredTable desired, String tag) throws IpvsException {
        List<Step> steps = plan(desired, last.keySet(), table.dump(), last, tag);
        // a whole pass plans every step still needed: a failure it no longer plans is over
        Set<String> planned = new HashSet<>();
        steps.forEach(s -> planned.add(s.message()));
        failing.keySet().retainAll(planned);
        return applyAndRecord(steps, desired.services(), Map.of());
    }

    /**
     * A pass over the services of {@code some} only: reads back, plans and applies just those, and
     * leaves every other service as it is. For a health change, which can only change the services
     * of the reals that changed, where a whole pass reads every service's destinations from the
     * kernel: a netlink request and its replies per service, a hundred for 1,000 reals in services
     * of ten. Drift in the other services is still repaired by the next whole pass.
     */
    public Outcome reconcileOnly(DesiredTable some, String tag) throws IpvsException {
        if (some.services().isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        Set<ServiceKey> keys = new HashSet<>();
        some.services().forEach(s -> keys.add(s.key()));
        List<ServiceDump> actual = new ArrayList<>();
        for (ServiceEntry e : table.services()) {
            ServiceKey key = e.service().key();
            if (keys.contains(key)) {
                actual.add(new ServiceDump(e, table.destinations(key)));
            }
        }
        return applyAndRecord(plan(some, Set.of(), actual, last, tag), some.services(), last);
    }

    /**
     * Applies {@code steps} and records {@code services}, on top of {@code kept}, as what the
     * kernel was last asked to hold.
     */
    private Outcome applyAndRecord(
            List<Step> steps,
            List<DesiredTable.Service> services,
            Map<ServiceKey, DesiredTable.Service> kept)
            throws IpvsException {
        Outcome outcome = apply(steps, owners(services));
        Map<ServiceKey, DesiredTable.Service> now = new LinkedHashMap<>(kept);
        services.forEach(s -> now.put(s.key(), s));
        last = now;
        return outcome;
    }

    /**
     * Removes the given owned virtuals and everything in them (cleanstop, or virtuals gone from the
     * config).
     */
    public Outcome purge(List<DesiredTable.Service> services, String tag) throws IpvsException {
        Map<ServiceKey, ServiceDump> actual = byKey(table.dump());
        List<Step> steps = new ArrayList<>();
        for (DesiredTable.Service s : services) {
            ServiceDump dump = actual.get(s.key());
            if (dump != null) {
                steps.addAll(purgeSteps(dump, s.key().id().vip(), tag));
            }
        }
        Map<ServiceKey, VirtualConfig> owners = owners(services);
        Map<ServiceKey, DesiredTable.Service> kept = new LinkedHashMap<>(last);
        services.forEach(s -> kept.remove(s.key()));
        last = kept;
        return apply(steps, owners);
    }

    /** Which config each service key belongs to: the given services first, then the last pass's. */
    private Map<ServiceKey, VirtualConfig> owners(List<DesiredTable.Service> services) {
        Map<ServiceKey, VirtualConfig> owners = new HashMap<>();
        last.forEach((k, s) -> owners.put(k, s.config()));
        services.forEach(s -> owners.put(s.key(), s.config()));
        return owners;
    }

    private Outcome apply(List<Step> steps, Map<ServiceKey, VirtualConfig> owners)
            throws IpvsException {
        if (steps.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        List<IpvsTable.OpResult> results = table.apply(steps.stream().map(Step::op).toList());
        int ok = 0;
        int failed = 0;
        int repairs = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            IpvsTable.OpResult r = results.get(i);
            if (r.ok()) {
                ok++;
                if (step.repair()) {
                    repairs++;
                }
                failing.remove(step.message());
                log.accept(step.message() + (step.repair() ? " (repair)" : ""));
            } else {
                failed++;
                String error = String.valueOf(r.error().getMessage());
                if (!error.equals(failing.put(step.message(), error))) {
                    log.accept(
                            "Failed: "
                                    + step.message()
                                    + ": "
                                    + error
                                    + "; will retry (logged again only"
                                    + " if the error changes)");
                }
            }
            try {
                listener.applied(
                        Optional.ofNullable(owners.get(step.op().service())), step, r.ok());
            } catch (RuntimeException e) {
                // a listener (mail, metrics) failing for one step must not cost the others their
                // report
                log.accept("Error: reporting '" + step.message() + "' failed: " + e);
            }
        }
        return new Outcome(ok, failed, repairs);
    }

    /**
     * The steps that take {@code actual} to {@code desired}. Pure, for tests.
     *
     * @param previouslyOwned services owned before (e.g. the last config): removed if not desired
     *     now
     * @param last the previous pass's desired table: a step for an entry whose desired state did
     *     not change is a repair of drift
     */
    public static List<Step> plan(
            DesiredTable desired,
            Set<ServiceKey> previouslyOwned,
            List<ServiceDump> actual,
            Map<ServiceKey, DesiredTable.Service> last,
            String tag) {
        Map<ServiceKey, ServiceDump> current = byKey(actual);
        List<Step> services = new ArrayList<>();
        List<Step> additions = new ArrayList<>();
        List<Step> deletions = new ArrayList<>();
        for (DesiredTable.Service want : desired.services()) {
            ServiceKey key = want.key();
            String vip = key.id().vip();
            DesiredTable.Service before = last.get(key);
            boolean serviceSteady = before != null && before.service().equals(want.service());
            ServiceDump have = current.get(key);
            Map<Destination.DestinationKey, Destination> haveDests = new HashMap<>();
            if (have == null) {
                services.add(
                        new Step(
                                new IpvsOp.AddService(want.service()),
                                "Added virtual server: " + vip,
                                serviceSteady));
            } else {
                if (!sameService(have.entry().service(), want.service())) {
                    services.add(
                            new Step(
                                    new IpvsOp.UpdateService(want.service()),
                                    "Changed virtual server: " + vip,
                                    serviceSteady));
                }
                for (DestinationEntry d : have.destinations()) {
                    haveDests.put(d.destination().key(), d.destination());
                }
            }
            for (Map.Entry<Destination.DestinationKey, DesiredTable.Dest> e :
                    want.dests().entrySet()) {
                DesiredTable.Dest dest = e.getValue();
                Destination target = dest.destination();
                Destination present = haveDests.remove(e.getKey());
                boolean steady =
                        before != null && Objects.equals(before.dests().get(e.getKey()), dest);
                String who =
                        (dest.role() == DesiredTable.Role.FALLBACK ? "fallback" : "real")
                                + " server: "
                                + e.getKey()
                                + " ("
                                + vip
                                + ")";
                switch (dest.policy()) {
                    case PRESENT -> {
                        if (present == null) {
                            String verb =
                                    target.weight() == 0 && dest.role() == DesiredTable.Role.REAL
                                            ? "Readd Quiescent "
                                            : "Added ";
                            additions.add(
                                    new Step(
                                            new IpvsOp.AddDestination(key, target),
                                            verb + who + " (Weight set to " + target.weight() + ")",
                                            steady));
                        } else if (!sameDestination(present, target)) {
                            additions.add(update(key, target, dest, who, steady));
                        }
                    }
                    case IF_PRESENT -> {
                        if (present != null && !sameDestination(present, target)) {
                            additions.add(update(key, target, dest, who, steady));
                        }
                    }
                    case ABSENT -> {
                        if (present != null) {
                            deletions.add(
                                    new Step(
                                            new IpvsOp.DeleteDestination(key, e.getKey()),
                                            "Deleted " + who,
                                            steady));
                        }
                    }
                    case UNTOUCHED -> {
                        // no verdict yet: whatever the kernel has stays
                    }
                }
            }
            // Left over: in an owned service but in no real= or fallback= line any more.
            for (Destination stale : haveDests.values()) {
                deletions.add(
                        new Step(
                                new IpvsOp.DeleteDestination(key, stale.key()),
                                "Purged real server ("
                                        + tag
                                        + "): "
                                        + stale.key()
                                        + " ("
                                        + vip
                                        + ")",
                                false));
            }
        }
        List<Step> removals = new ArrayList<>();
        Set<ServiceKey> wanted = new HashSet<>();
        desired.services().forEach(s -> wanted.add(s.key()));
        for (ServiceKey gone : previouslyOwned) {
            ServiceDump dump = current.get(gone);
            if (!wanted.contains(gone) && dump != null) {
                removals.addAll(purgeSteps(dump, gone.id().vip(), tag));
            }
        }
        List<Step> all =
                new ArrayList<>(
                        services.size() + additions.size() + deletions.size() + removals.size());
        all.addAll(services);
        all.addAll(additions);
        all.addAll(deletions);
        all.addAll(removals);
        return all;
    }

    private static Step update(
            ServiceKey key,
            Destination target,
            DesiredTable.Dest dest,
            String who,
            boolean steady) {
        String verb =
                target.weight() == 0 && dest.role() == DesiredTable.Role.REAL
                        ? "Quiescent "
                        : "Restored ";
        return new Step(
                new IpvsOp.UpdateDestination(key, target),
                verb + who + " (Weight set to " + target.weight() + ")",
                steady);
    }

    private static List<Step> purgeSteps(ServiceDump dump, String vip, String tag) {
        List<Step> steps = new ArrayList<>();
        ServiceKey key = dump.entry().service().key();
        // Deleting the service drops its destinations in the kernel too; they are logged one by
        // one first, as ldirectord does, so an operator sees each real leave.
        for (DestinationEntry d : dump.destinations()) {
            steps.add(
                    new Step(
                            new IpvsOp.DeleteDestination(key, d.destination().key()),
                            "Purged real server ("
                                    + tag
                                    + "): "
                                    + d.destination().key()
                                    + " ("
                                    + vip
                                    + ")",
                            false));
        }
        steps.add(
                new Step(
                        new IpvsOp.DeleteService(key),
                        "Purged virtual server (" + tag + "): " + vip,
                        false));
        return steps;
    }

    /** Persistence timeout and netmask only mean something on a persistent service. */
    static boolean sameService(VirtualService have, VirtualService want) {
        if (!have.scheduler().equals(want.scheduler()) || have.flags() != want.flags()) {
            return false;
        }
        return !want.isPersistent()
                || (have.timeout() == want.timeout() && have.netmask() == want.netmask());
    }

    /**
     * The kernel turns any destination that is a local address into "Local" forwarding, whatever
     * was asked; counting that as a difference would rewrite a local fallback on every pass.
     */
    static boolean sameDestination(Destination have, Destination want) {
        boolean sameForwarding =
                have.forwarding() == want.forwarding() || have.forwarding() == Forwarding.LOCAL;
        return sameForwarding
                && have.weight() == want.weight()
                && have.upperThreshold() == want.upperThreshold()
                && have.lowerThreshold() == want.lowerThreshold();
    }

    private static Map<ServiceKey, ServiceDump> byKey(List<ServiceDump> dumps) {
        Map<ServiceKey, ServiceDump> map = new HashMap<>();
        for (ServiceDump d : dumps) {
            map.put(d.entry().service().key(), d);
        }
        return map;
    }
}
