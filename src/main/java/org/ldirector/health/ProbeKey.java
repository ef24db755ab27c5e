package org.ldirector.health;

import java.net.InetAddress;
import java.util.Optional;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.CheckType;
import org.ldirector.config.Protocol;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.net.InetText;

/**
 * The identity of one probe: two reals with equal keys are probed once per round and share one
 * health state, and a key that survives a reload keeps its state (keepalived's checker migration).
 *
 * <p>It follows ldirectord's {@code get_real_id_str} (check kind, protocol, real address and port,
 * virtualhost, checkport, request, receive) with two deliberate differences: weight and forwarding
 * method are left out, because they say how IPVS uses the real, not how it is checked (ldirectord's
 * id made an operator's weight edit look like a new real), and the credentials the dialogue sends
 * are in, because changing them changes what the probe proves.
 */
public record ProbeKey(
        CheckType type,
        String checkDetail,
        Protocol protocol,
        InetAddress address,
        int port,
        Optional<String> virtualHost,
        Optional<Integer> checkPort,
        String request,
        String receive,
        String login,
        String database) {

    public static ProbeKey of(VirtualConfig v, Real r) {
        CheckSpec c = v.check();
        String detail =
                switch (c.type()) {
                    case NEGOTIATE -> c.service().keyword();
                    case COMBINED -> c.numConnects() + ":" + c.service().keyword();
                    case EXTERNAL, EXTERNAL_PERL -> c.checkCommand();
                    case PING -> Integer.toString(c.checkCount());
                    default -> "";
                };
        // the keepalived extensions change what a probe proves, so they are part of its identity
        if (!c.http().isNone() && c.type() == CheckType.NEGOTIATE) {
            detail +=
                    " "
                            + c.http().status().map(Object::toString).orElse("")
                            + " "
                            + c.http().digest().orElse("")
                            + " "
                            + c.http().more();
        }
        if (c.externalWeight()) {
            detail += " weight";
        }
        return new ProbeKey(
                c.type(),
                detail,
                v.protocol(),
                r.address(),
                v.ipvsPort(r),
                c.virtualHost(),
                c.checkPort(),
                r.request().orElse(c.request()),
                r.receive().orElse(c.receive()),
                c.login(),
                c.database());
    }

    /** "negotiate:http 10.0.0.2:80", for debug lines. */
    @Override
    public String toString() {
        return type.keyword() + (checkDetail.isEmpty() ? "" : ":" + checkDetail) + " " + realId();
    }

    /** {@code 10.0.0.2:80} or {@code [2001:db8::2]:80}, as log lines name a real. */
    public String realId() {
        return InetText.withPort(address, port);
    }
}
