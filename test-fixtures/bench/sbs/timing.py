#!/usr/bin/python3
"""Where a detection's time goes, from a side-by-side run made with TIMING=1.

    timing.py DAEMON_OUT_DIR      (e.g. target/side-by-side/RUN/ldirector)

Reads logs/N-timing.log (nginx's "$msec $server_addr" per probe, by the guest's clock) and
detect-times.tsv (probe.py: reals, failure kind, trial, real, when its failure began by the same
clock, detection and recovery seconds). Prints, per size:
- the gaps between two probes of the same real (all reals, the whole log, gaps that span a trial's
  failure of that real left out): how evenly the daemon asks each real, which bounds detection;
- per refused-connection trial: the wait from the failure to the real's next probe (estimated as its
  last probe before the failure plus its median gap: the failing probe itself never reaches nginx)
  and what came after that probe (its answer, the daemon's handling, the kernel, the poll).
"""
import os
import statistics
import sys


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def load_probes(path):
    by_real = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                by_real.setdefault(parts[1], []).append(float(parts[0]))
    for ts in by_real.values():
        ts.sort()
    return by_real


def main(d):
    trials = {}
    with open(os.path.join(d, "detect-times.tsv")) as f:
        for line in f:
            n, kind, k, ip, t0, down, up = line.rstrip("\n").split("\t")
            trials.setdefault(n, []).append((kind, int(k), ip, float(t0), down, up))
    for n, ts in sorted(trials.items(), key=lambda x: int(x[0])):
        path = os.path.join(d, "logs", "%s-timing.log" % n)
        if not os.path.exists(path):
            print("%s reals: no %s" % (n, path))
            continue
        probes = load_probes(path)
        # a real's failures: from t0 to its return (t0 + down + up), no probe reaches nginx then
        outages = {}
        for kind, k, ip, t0, down, up in ts:
            try:
                end = t0 + float(down) + float(up) + 0.5
            except ValueError:
                end = t0 + 60
            outages.setdefault(ip, []).append((t0 - 0.01, end))
        gaps = []
        for ip, times in probes.items():
            for a, b in zip(times, times[1:]):
                if not any(s <= b and a <= e for s, e in outages.get(ip, [])):
                    gaps.append(b - a)
        if gaps:
            print("%s reals: %d gaps between probes of a real: median %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, "
                  "max %.3f s; over 1.1 s: %.2f %%" % (
                      n, len(gaps), statistics.median(gaps), pct(gaps, 90), pct(gaps, 99), pct(gaps, 99.9),
                      max(gaps), 100.0 * sum(1 for g in gaps if g > 1.1) / len(gaps)))
        after = []
        print("  kind    trial real            detect  wait->probe  after the probe")
        for kind, k, ip, t0, down, up in ts:
            times = probes.get(ip, [])
            before = [t for t in times if t < t0]
            if len(before) < 3 or down == "timeout":
                print("  %-7s %5d %-15s %s" % (kind, k, ip, down))
                continue
            gap = statistics.median([b - a for a, b in zip(before[-10:], before[-9:])])
            probe_at = before[-1] + gap
            while probe_at < t0:
                probe_at += gap
            wait = probe_at - t0
            rest = float(down) - wait
            if kind == "refuse":
                after.append(rest)
            print("  %-7s %5d %-15s %6.3f  %6.3f       %6.3f" % (kind, k, ip, float(down), wait, rest))
        if after:
            print("  refused: after the failing probe, median %.3f, max %.3f s (n=%d)" % (
                statistics.median(after), max(after), len(after)))


if __name__ == "__main__":
    main(sys.argv[1])
