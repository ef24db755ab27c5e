import sys
by = {}
for l in open(sys.argv[1] + "/timing.log"):
    p = l.split()
    if len(p) == 2 and p[1] != "10.77.127.250": by.setdefault(p[1], []).append(float(p[0]))
for ts in by.values(): ts.sort()
for line in open(sys.argv[1] + "/phases"):
    name, t0, t1 = line.split(); t0, t1 = float(t0) + 2, float(t1)
    gaps = sorted(b - a for ts in by.values() for a, b in zip(ts, ts[1:]) if t0 <= b <= t1)
    q = lambda p: gaps[min(len(gaps) - 1, int(p / 100 * (len(gaps) - 1)))]
    print("%-6s gaps %d: median %.3f p90 %.3f p99 %.3f max %.3f; >1.05 %.1f %%, >1.1 %.1f %%" % (name, len(gaps), q(50), q(90), q(99), gaps[-1],
          100 * sum(g > 1.05 for g in gaps) / len(gaps), 100 * sum(g > 1.1 for g in gaps) / len(gaps)))
