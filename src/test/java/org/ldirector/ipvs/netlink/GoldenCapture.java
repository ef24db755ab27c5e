package org.ldirector.ipvs.netlink;

import static org.ldirector.ipvs.netlink.GoldenTables.*;

import java.io.FileWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.Timeouts;

/**
 * Regenerates src/test/resources/.../golden/kernel-replies.txt: run as root inside User-Mode Linux
 * with ip_vs NOT yet loaded (the first scenario records the kernel's answer for a missing family):
 * {@code java -cp <test classpath> org.ldirector.ipvs.netlink.GoldenCapture <out-file>}. Every byte
 * received in that file was written by the kernel; the requests are ours.
 */
public final class GoldenCapture {
    private GoldenCapture() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("missing")) {
            missingFamily(args[0]);
            return;
        }
        try (PrintWriter log = new PrintWriter(new FileWriter(args[0]))) {
            RecordingTransport rec = new RecordingTransport(SocketTransport.open(), log);
            rec.scenario("getfamily-missing");
            ModuleLoader loader =
                    module -> {
                        String r = ModuleLoader.modprobe(Duration.ofSeconds(60)).load(module);
                        rec.scenario("getfamily");
                        return r;
                    };
            try (NetlinkIpvsTable t =
                    NetlinkIpvsTable.open(rec, loader, Duration.ofSeconds(30), 1000)) {
                rec.scenario("info");
                t.info();
                rec.scenario("timeouts");
                t.timeouts();
                rec.scenario("set-timeouts");
                t.setTimeouts(new Timeouts(901, 121, 301));
                rec.scenario("add-services");
                t.apply(SERVICES.stream().map(IpvsOp.AddService::new).toList());
                rec.scenario("add-destinations");
                t.apply(DESTINATION_OPS);
                rec.scenario("errors");
                t.apply(ERROR_OPS);
                rec.scenario("dump-services");
                t.services();
                rec.scenario("dump-destinations-tcp4");
                t.destinations(TCP4);
                rec.scenario("dump-destinations-tcp6");
                t.destinations(TCP6);
                rec.scenario("dump-destinations-fwmark");
                t.destinations(FWM7);
                rec.scenario("dump-destinations-missing-service");
                t.destinations(MISSING);
                rec.scenario("add-many");
                List<IpvsOp> many = new ArrayList<>();
                many.add(new IpvsOp.AddService(MANY_SERVICE));
                for (int i = 0; i < MANY; i++) {
                    many.add(new IpvsOp.AddDestination(MANY_SERVICE.key(), manyDestination(i)));
                }
                t.apply(many);
                rec.scenario("dump-many");
                t.destinations(MANY_SERVICE.key());
                rec.scenario("updates");
                t.apply(UPDATE_OPS);
                rec.scenario("dump-services-after-update");
                t.services();
                rec.scenario("dump-destinations-tcp4-after-update");
                t.destinations(TCP4);
                rec.scenario("deletes");
                t.apply(
                        List.of(
                                new IpvsOp.DeleteDestination(
                                        TCP4,
                                        new Destination.DestinationKey(
                                                InetAddress.getByName("10.0.1.3"), 80)),
                                new IpvsOp.DeleteService(UDP4)));
                rec.scenario("flush");
                t.flush();
                rec.scenario("end");
            }
        }
    }

    /**
     * For a boot where ip_vs cannot be loaded: records the kernel's answer to CTRL_CMD_GETFAMILY
     * for a missing family, and prints the error ldirector reports.
     */
    private static void missingFamily(String file) throws Exception {
        try (PrintWriter log = new PrintWriter(new FileWriter(file))) {
            RecordingTransport rec = new RecordingTransport(SocketTransport.open(), log);
            rec.scenario("getfamily-missing");
            ModuleLoader loader =
                    module -> {
                        String r = ModuleLoader.modprobe(Duration.ofSeconds(60)).load(module);
                        rec.scenario("getfamily-after-failed-modprobe");
                        log.println("# modprobe: " + r);
                        return r;
                    };
            try (NetlinkIpvsTable t =
                    NetlinkIpvsTable.open(rec, loader, Duration.ofSeconds(30), 2000)) {
                System.out.println("unexpected: IPVS present " + t);
            } catch (IpvsException e) {
                System.out.println("error: " + e.getMessage());
                log.println("# error: " + e.getMessage());
            }
        }
    }
}
