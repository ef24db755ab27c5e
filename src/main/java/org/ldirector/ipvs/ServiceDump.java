package org.ldirector.ipvs;

import java.util.List;

/** One service and its destinations, as a full-table dump returns them. */
public record ServiceDump(ServiceEntry entry, List<DestinationEntry> destinations) {
    public ServiceDump {
        destinations = List.copyOf(destinations);
    }
}
