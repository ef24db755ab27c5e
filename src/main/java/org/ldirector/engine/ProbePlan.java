package org.ldirector.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ldirector.check.ProbeTarget;
import org.ldirector.config.Config;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.ProbeKey;
import org.ldirector.health.Thresholds;

/**
 * Which probes a config needs: one per {@link ProbeKey}, however many virtuals share the real
 * (ldirectord checks such a real once per round and applies the result to all of them).
 *
 * @param probes in config order
 */
record ProbePlan(Map<ProbeKey, Probe> probes) {

    /** One probe and the (virtual, real) pairs its verdict applies to. */
    record Probe(
            ProbeKey key,
            ProbeTarget target,
            Duration interval,
            Thresholds thresholds,
            List<Use> uses) {}

    record Use(VirtualConfig virtual, Real real) {}

    static ProbePlan of(Config config) {
        Map<ProbeKey, List<Use>> uses = new LinkedHashMap<>();
        for (VirtualConfig v : config.virtuals()) {
            for (Real r : v.reals()) {
                uses.computeIfAbsent(ProbeKey.of(v, r), k -> new ArrayList<>()).add(new Use(v, r));
            }
        }
        Map<ProbeKey, Probe> probes = new LinkedHashMap<>();
        for (Map.Entry<ProbeKey, List<Use>> e : uses.entrySet()) {
            Use first = e.getValue().get(0);
            // A shared real is probed as often as its most demanding virtual asks.
            Duration interval =
                    e.getValue().stream()
                            .map(u -> u.virtual().checkInterval())
                            .min(Duration::compareTo)
                            .orElseThrow();
            VirtualConfig v = first.virtual();
            probes.put(
                    e.getKey(),
                    new Probe(
                            e.getKey(),
                            ProbeTarget.of(v, first.real()),
                            interval,
                            new Thresholds(v.failureCount(), v.successCount()),
                            List.copyOf(e.getValue())));
        }
        return new ProbePlan(probes);
    }

    Map<ProbeKey, Duration> intervals() {
        Map<ProbeKey, Duration> m = new LinkedHashMap<>();
        probes.forEach((k, p) -> m.put(k, p.interval()));
        return m;
    }
}
