package org.ldirector.director;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.ldirector.config.CheckType;
import org.ldirector.config.Config;
import org.ldirector.config.ForwardMethod;
import org.ldirector.config.Protocol;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.Health;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * Config + health → the IPVS table ldirector wants. A pure function: no sockets, no clock, no
 * state, so every rule below is a unit test away.
 *
 * <ul>
 *   <li>An up real is present with its configured weight and thresholds.
 *   <li>A down real is deleted, or with quiescent=yes kept with weight 0 so its connections drain.
 *       ldirectord's start lists every real of a quiescent virtual, so a real whose first verdict
 *       is down is added at weight 0. After that, with readdquiescent=no, a quiesced real that
 *       someone deleted by hand stays deleted (ldirectord's rule).
 *   <li>A real with no verdict yet is left exactly as the kernel has it: a restart adopts what is
 *       there without touching a connection, and a new real is not added before its first check.
 *   <li>The fallback is present when no real is up with a weight above 0, absent as soon as one is;
 *       while some real still has no verdict the fallback is left as it is, so start-up never flaps
 *       it in and out.
 *   <li>checktype=on is up and off is down without a probe; a maintenance file is down whatever the
 *       checktype says (ldirectord checks it first).
 * </ul>
 */
public final class Director {

    /** What the director needs to know of each real. */
    public interface Verdicts {
        Health health(VirtualConfig virtual, Real real);

        boolean inMaintenance(VirtualConfig virtual, Real real);

        /**
         * Whether a pass since start has already put this real's verdict in the table. Until then a
         * quiescent real that is down is added at weight 0 whatever readdquiescent says, as
         * ldirectord's start adds every real. Without that knowledge: yes.
         */
        default boolean placed(VirtualConfig virtual, Real real) {
            return true;
        }

        static Verdicts of(
                BiFunction<VirtualConfig, Real, Health> health,
                BiPredicate<VirtualConfig, Real> inMaintenance) {
            return of(health, inMaintenance, (v, r) -> true);
        }

        static Verdicts of(
                BiFunction<VirtualConfig, Real, Health> health,
                BiPredicate<VirtualConfig, Real> inMaintenance,
                BiPredicate<VirtualConfig, Real> placed) {
            return of(health, inMaintenance, placed, (v, r) -> OptionalInt.empty());
        }

        static Verdicts of(
                BiFunction<VirtualConfig, Real, Health> health,
                BiPredicate<VirtualConfig, Real> inMaintenance,
                BiPredicate<VirtualConfig, Real> placed,
                BiFunction<VirtualConfig, Real, OptionalInt> weights) {
            return new Verdicts() {
                @Override
                public Health health(VirtualConfig virtual, Real real) {
                    return health.apply(virtual, real);
                }

                @Override
                public boolean inMaintenance(VirtualConfig virtual, Real real) {
                    return inMaintenance.test(virtual, real);
                }

                @Override
                public boolean placed(VirtualConfig virtual, Real real) {
                    return placed.test(virtual, real);
                }

                @Override
                public OptionalInt weight(VirtualConfig virtual, Real real) {
                    return weights.apply(virtual, real);
                }
            };
        }

        /**
         * The weight the real's check asks for while it is up (externalweight=yes); empty = the
         * configured weight.
         */
        default OptionalInt weight(VirtualConfig virtual, Real real) {
            return OptionalInt.empty();
        }

        /** These verdicts with the weights the checks ask for. */
        default Verdicts withWeights(BiFunction<VirtualConfig, Real, OptionalInt> weights) {
            return of(this::health, this::inMaintenance, this::placed, weights);
        }

        /** Every real in {@code health}, none in maintenance. */
        static Verdicts all(Health health) {
            return of((v, r) -> health, (v, r) -> false);
        }
    }

    private Director() {}

    /**
     * @param firstPass true for the first reconciliation after start (quiesced reals are added even
     *     with readdquiescent=no, as ldirectord's start does)
     */
    public static DesiredTable desired(Config config, Verdicts verdicts, boolean firstPass) {
        return desired(config, verdicts, firstPass, v -> true);
    }

    /**
     * The desired table of the virtuals {@code which} accepts, in config order: each virtual's
     * services depend on its own reals only, so a health change needs only the virtuals of the real
     * that changed.
     */
    public static DesiredTable desired(
            Config config, Verdicts verdicts, boolean firstPass, Predicate<VirtualConfig> which) {
        return desired(
                config,
                verdicts,
                firstPass,
                which,
                (v, e) -> {
                    throw e;
                });
    }

    /**
     * As {@link #desired(Config, Verdicts, boolean, Predicate)}, but a virtual whose service cannot
     * be built is handed to {@code failed} and left out, so it never keeps the others from being
     * programmed. The parser refuses every value that could fail here; this is the second line.
     */
    public static DesiredTable desired(
            Config config,
            Verdicts verdicts,
            boolean firstPass,
            Predicate<VirtualConfig> which,
            BiConsumer<VirtualConfig, RuntimeException> failed) {
        List<DesiredTable.Service> services = new ArrayList<>();
        for (VirtualConfig v : config.virtuals()) {
            if (which.test(v)) {
                try {
                    services.add(
                            desiredService(
                                    v, verdicts, firstPass, config.global().readdQuiescent()));
                } catch (RuntimeException e) {
                    failed.accept(v, e);
                }
            }
        }
        return new DesiredTable(services);
    }

    static DesiredTable.Service desiredService(
            VirtualConfig v, Verdicts verdicts, boolean firstPass, boolean readdQuiescent) {
        VirtualService service = virtualService(v);
        Map<Destination.DestinationKey, DesiredTable.Dest> dests = new LinkedHashMap<>();
        boolean anyServing = false;
        boolean anyPending = false;
        for (Real r : v.reals()) {
            Health h = verdict(v, r, verdicts);
            // an up real's check may ask for another weight (keepalived's misc_dynamic)
            int weight = h == Health.UP ? verdicts.weight(v, r).orElse(r.weight()) : r.weight();
            Destination d =
                    destination(
                            v,
                            r.address(),
                            r.port(),
                            r.forward(),
                            weight,
                            r.upperThreshold().orElse(0),
                            r.lowerThreshold().orElse(0));
            DesiredTable.Policy policy;
            switch (h) {
                case UP -> {
                    policy = DesiredTable.Policy.PRESENT;
                    anyServing |= weight > 0;
                }
                case UNKNOWN -> {
                    policy = DesiredTable.Policy.UNTOUCHED;
                    anyPending = true;
                }
                default -> {
                    if (v.quiescent()) {
                        d = d.withWeight(0);
                        policy =
                                readdQuiescent || firstPass || !verdicts.placed(v, r)
                                        ? DesiredTable.Policy.PRESENT
                                        : DesiredTable.Policy.IF_PRESENT;
                    } else {
                        policy = DesiredTable.Policy.ABSENT;
                    }
                }
            }
            // Two real= lines for the same address and port: the first one that serves wins.
            DesiredTable.Dest prior = dests.get(d.key());
            if (prior == null || prior.policy() != DesiredTable.Policy.PRESENT) {
                dests.put(d.key(), new DesiredTable.Dest(d, DesiredTable.Role.REAL, policy));
            }
        }
        if (v.fallback().isPresent()) {
            var f = v.fallback().get();
            Destination d =
                    destination(
                            v, f.address(), v.fallbackPort().orElseThrow(), f.forward(), 1, 0, 0);
            DesiredTable.Policy policy =
                    anyServing
                            ? DesiredTable.Policy.ABSENT
                            : anyPending
                                    ? DesiredTable.Policy.UNTOUCHED
                                    : DesiredTable.Policy.PRESENT;
            // A fallback that is also a real: the real's rule wins unless the fallback must serve.
            if (!dests.containsKey(d.key()) || policy == DesiredTable.Policy.PRESENT) {
                dests.put(d.key(), new DesiredTable.Dest(d, DesiredTable.Role.FALLBACK, policy));
            }
        }
        return new DesiredTable.Service(v, service, dests, anyServing, !anyPending);
    }

    /**
     * The verdict the table follows: a maintenance file, then checktype on/off, then the checks.
     */
    public static Health verdict(VirtualConfig v, Real r, Verdicts verdicts) {
        if (verdicts.inMaintenance(v, r)) {
            return Health.DOWN;
        }
        CheckType type = v.check().type();
        if (type == CheckType.ON) {
            return Health.UP;
        }
        if (type == CheckType.OFF) {
            return Health.DOWN;
        }
        return verdicts.health(v, r);
    }

    /** The kernel service for a virtual, with ldirectord's ipvsadm switches turned into fields. */
    public static VirtualService virtualService(VirtualConfig v) {
        ServiceKey key = new ServiceKey(v.id());
        Family family = key.family();
        VirtualService s = VirtualService.of(key, v.scheduler());
        if (v.persistent().isPresent()) {
            int mask =
                    v.netmask()
                            .map(m -> netmask(m, family))
                            .orElse(VirtualService.defaultNetmask(family));
            s = s.persistent(v.persistent().get(), mask);
        }
        // ldirectord passes -o only for udp virtuals.
        if (v.ops() && v.protocol() == Protocol.UDP) {
            s = s.onePacket();
        }
        if (v.schedFlags().isPresent()) {
            s = s.withSchedulerFlags(SchedFlags.parse(v.schedFlags().get(), v.scheduler()));
        }
        return s;
    }

    static int netmask(String text, Family family) {
        if (family == Family.INET6) {
            return Integer.parseInt(text);
        }
        String[] q = text.split("\\.");
        int mask = 0;
        for (String part : q) {
            mask = (mask << 8) | (Integer.parseInt(part) & 0xff);
        }
        return mask;
    }

    /**
     * A destination as ldirectord and ipvsadm together send it. ldirectord passes {@code ip:0} for
     * a real written without a port; ipvsadm then forces the virtual's port for gate and ipip on an
     * address:port virtual (so "real=10.0.0.2:8080 gate" has always meant port 80 on a port-80
     * virtual) and keeps 0 for masq, which the kernel reads as "the port the client asked for".
     */
    public static Destination destination(
            VirtualConfig v,
            InetAddress address,
            int port,
            ForwardMethod method,
            int weight,
            int upper,
            int lower) {
        Forwarding fwd =
                switch (method) {
                    case GATE -> Forwarding.ROUTE;
                    case MASQ -> Forwarding.MASQ;
                    case IPIP -> Forwarding.TUNNEL;
                };
        int effectivePort = !v.isFwmark() && method != ForwardMethod.MASQ ? v.port() : port;
        return new Destination(address, effectivePort, fwd, weight, upper, lower);
    }
}
