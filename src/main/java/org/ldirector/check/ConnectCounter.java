package org.ldirector.check;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.ldirector.config.CheckSpec;

/**
 * ldirectord's {@code $$r{num_connects}} for {@code checktype = N}: which kind of check a real gets
 * next. A real starts at 999999 so its first check is a negotiate; a passed negotiate resets the
 * count to 0, a failed one leaves it (so the next check negotiates again); each passed connect adds
 * one and a failed connect sets 999999, forcing a negotiate next. A negotiate runs whenever the
 * count has reached N, i.e. after N passed connects.
 */
public final class ConnectCounter {
    /** ldirectord's sentinel: "negotiate next". */
    static final int FORCE_NEGOTIATE = 999_999;

    /**
     * One probe's identity: ldirectord keeps the counter on the real, and a real is its address,
     * check port and checks.
     */
    public record Key(
            InetAddress address, int checkPort, CheckSpec spec, String request, String receive) {
        public static Key of(ProbeTarget t) {
            return new Key(
                    t.realAddress(),
                    t.checkPort().orElse(t.realPort()),
                    t.spec(),
                    t.request(),
                    t.receive());
        }
    }

    private final Map<Key, Integer> counts = new ConcurrentHashMap<>();

    /** True when this real's next check must be the negotiate one. */
    public boolean negotiateNext(Key k, int numConnects) {
        return counts.getOrDefault(k, FORCE_NEGOTIATE) >= numConnects;
    }

    public void negotiated(Key k, boolean up) {
        if (up) {
            counts.put(k, 0);
        } else {
            counts.putIfAbsent(k, FORCE_NEGOTIATE);
        }
    }

    public void connected(Key k, boolean up) {
        if (up) {
            counts.merge(k, 1, (a, b) -> a >= FORCE_NEGOTIATE ? a : a + b);
        } else {
            counts.put(k, FORCE_NEGOTIATE);
        }
    }

    /**
     * Drops the counters of reals no longer configured (after a reload), keeping the others' place
     * in their cycle.
     */
    public void retain(Collection<ProbeTarget> live) {
        Set<Key> keep = live.stream().map(Key::of).collect(Collectors.toSet());
        counts.keySet().retainAll(keep);
    }

    int size() {
        return counts.size();
    }
}
