package org.ldirector.uml;

import java.util.ArrayList;
import java.util.List;
import org.ldirector.config.Config;
import org.ldirector.director.Director;
import org.ldirector.health.Health;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsadmFormat;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.reconcile.Reconciler;

/**
 * What ldirector itself programs for a config when every real is up: the production director and
 * reconciler fill an in-memory table, which is written out as {@code ipvsadm -R} lines (the {@code
 * -Sn} form plus {@code -x}/{@code -y}, which {@code -Sn} leaves out), so the differential test
 * compares ldirectord with ldirector's real code path, not with a second derivation.
 */
final class ProgrammedRules {
    private ProgrammedRules() {}

    private static final Director.Verdicts ALL_UP = Director.Verdicts.all(Health.UP);

    static List<String> of(Config config) throws IpvsException {
        InMemoryIpvsTable table = new InMemoryIpvsTable();
        // An entry the kernel refuses (l: above u:, which ldirectord passes through as well) is
        // missing from both tables: the fake refuses it with the kernel's ERANGE.
        new Reconciler(table, line -> {})
                .reconcile(Director.desired(config, ALL_UP, true), "start");
        List<String> lines = new ArrayList<>();
        for (ServiceDump s : table.dump()) {
            lines.add(IpvsadmFormat.save(List.of(new ServiceDump(s.entry(), List.of()))).strip());
            for (DestinationEntry d : s.destinations()) {
                String[] rows =
                        IpvsadmFormat.save(List.of(new ServiceDump(s.entry(), List.of(d))))
                                .strip()
                                .split("\n");
                StringBuilder line = new StringBuilder(rows[rows.length - 1]);
                int upper = d.destination().upperThreshold();
                int lower = d.destination().lowerThreshold();
                if (upper != 0 || lower != 0) {
                    line.append(" -x ").append(upper).append(" -y ").append(lower);
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
