package org.ldirector.director;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ldirector.config.VirtualConfig;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * What the IPVS table should hold for the virtuals ldirector owns: the director's verdict, which
 * the reconciler then makes true with as few kernel operations as it can.
 */
public record DesiredTable(List<Service> services) {
    public DesiredTable {
        services = List.copyOf(services);
    }

    /**
     * One owned virtual service and what should happen to each of its destinations.
     *
     * @param anyRealUp a real is up with a weight above 0 (else the fallback serves)
     * @param decided every real has a verdict, so anyRealUp is final (fallbackcommand waits for it)
     */
    public record Service(
            VirtualConfig config,
            VirtualService service,
            Map<Destination.DestinationKey, Dest> dests,
            boolean anyRealUp,
            boolean decided) {
        public Service {
            // File order is kept: it is the order reals are added in, as ldirectord adds them.
            dests = Collections.unmodifiableMap(new LinkedHashMap<>(dests));
        }

        public ServiceKey key() {
            return service.key();
        }
    }

    /**
     * A destination and the rule for it. {@code destination} is what it should look like when
     * present.
     */
    public record Dest(Destination destination, Role role, Policy policy) {}

    public enum Role {
        REAL,
        FALLBACK
    }

    /**
     * PRESENT: add it, or correct it if it differs. IF_PRESENT: correct it only if it is there (a
     * quiesced real an operator deleted by hand, with readdquiescent=no). UNTOUCHED: leave it
     * exactly as it is, present or not (a real with no verdict yet: adopted at start, not added).
     * ABSENT: delete it if it is there.
     */
    public enum Policy {
        PRESENT,
        IF_PRESENT,
        UNTOUCHED,
        ABSENT
    }
}
