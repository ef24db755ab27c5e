#!/usr/bin/python3
"""Turns a side-by-side.sh run (OUT/run.env, OUT/<daemon>/results.tsv) into RESULTS.md and a PNG chart.

    report.py OUT RESULTS_DIR
"""
import os
import statistics
import subprocess
import sys

DAEMONS = ["ldirector", "keepalived", "ldirectord"]
TARGET_DETECT = 1.1  # checkinterval + 100 ms


def read_rows(path):
    """A results.tsv's rows (daemon, measurement, reals, check/failure, key, value)."""
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def load(out):
    env = {}
    with open(os.path.join(out, "run.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    rows = []
    for d in DAEMONS:
        p = os.path.join(out, d, "results.tsv")
        if os.path.exists(p):
            rows += read_rows(p)
            rows += host_rows(os.path.join(out, d), d, rows)
    # host-steady.sh's rows: ldirector on the host's own kernel, after the guests
    p = os.path.join(out, "host", "results.tsv")
    if os.path.exists(p):
        rows += read_rows(p)
    return env, rows


def host_rate(dirname, a, b):
    """The whole guest's CPU seconds a minute between marks a and b, read by the host (hostcpu.sh's
    host-NAME files: "epoch ticks"), or None."""
    try:
        with open(os.path.join(dirname, "host-" + a)) as f:
            t0, c0 = (float(x) for x in f.read().split())
        with open(os.path.join(dirname, "host-" + b)) as f:
            t1, c1 = (float(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    return (c1 - c0) / 100.0 / (t1 - t0) * 60 if t1 > t0 else None


def host_rows(dirname, d, rows):
    """Cost rows from the host's clock: the whole guest in each cost window, at rest before the daemon
    started, the difference (the daemon's share: its own code, the guest kernel's work for it, and the
    reals' work answering its probes) and that share per 1,000 probes."""
    base = host_rate(dirname, "base-start", "base-end")
    out = []
    for n, kind in sorted({(r[2], r[3]) for r in rows if r[0] == d and r[1] == "cost"}):
        win = host_rate(dirname, "cost-%s-%s-start" % (n, kind), "cost-%s-%s-end" % (n, kind))
        if win is None or base is None:
            continue
        share = win - base
        out += [[d, "cost", n, kind, "host_guest_s_per_min", "%.3f" % win],
                [d, "cost", n, kind, "host_base_s_per_min", "%.3f" % base],
                [d, "cost", n, kind, "host_share_s_per_min", "%.3f" % share]]
        probes = [num(r[5]) for r in rows if r[0] == d and r[1] == "cost" and r[2] == n and r[3] == kind
                  and r[4] == "probes_per_s"]
        if probes and probes[0]:
            out.append([d, "cost", n, kind, "host_ms_per_1000_probes", "%.1f" % (share / 60 / probes[0] * 1e6)])
    return out


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def stat(vals):
    """'median / max (n)' of a list of floats or None (timeouts)."""
    if not vals:
        return "n/a"
    ok = [v for v in vals if v is not None]
    to = len(vals) - len(ok)
    if not ok:
        return "all %d timed out" % len(vals)
    s = "%.2f / %.2f" % (statistics.median(ok), max(ok))
    if to:
        s += " (+%d timed out)" % to
    return s + " (n=%d)" % len(vals)


class Data:
    def __init__(self, env, rows):
        self.env = env
        self.rows = rows
        self.daemons = [d for d in env.get("daemons", " ".join(DAEMONS)).split() if d in DAEMONS]

    def sel(self, daemon, what, n=None, kind=None):
        return [r for r in self.rows if r[0] == daemon and r[1] == what
                and (n is None or r[2] == str(n)) and (kind is None or r[3] == kind)]

    def kv(self, daemon, what, n, kind):
        return {r[4]: r[5] for r in self.sel(daemon, what, n, kind)}

    def sizes(self, what, kind=None):
        return sorted({int(r[2]) for r in self.rows if r[1] == what and (kind is None or r[3] == kind)})

    def trials(self, daemon, n, fkind):
        """(detection latencies, recovery latencies); None = timed out."""
        det, rec = [], []
        for r in self.sel(daemon, "detect", n, fkind):
            if r[4] == "skip":
                continue
            det.append(num(r[4]))
            rec.append(num(r[5]))
        return det, rec


def entries(text):
    """Runs before the probe counted reals apart from sorry servers wrote 'X of N reals', X being every
    entry of the table, sorry servers included."""
    if "table entries" in text:
        return text
    return text.replace(" of ", " table entries (reals and sorry servers) for ", 1)


def det_cell(D, d, n, fk, which=0):
    vals = D.trials(d, n, fk)[which]
    skips = len([r for r in D.sel(d, "detect", n, fk) if r[4] == "skip"])
    if not vals and skips:
        return "not measured: no real in the table (%d trials skipped)" % skips
    return stat(vals) + (" (+%d skipped: not in the table)" % skips if skips else "")


def md_table(head, body):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def report(out, resdir):
    env, rows = load(out)
    D = Data(env, rows)
    ds = D.daemons
    L = []
    L.append("# Side by side: ldirector, ldirectord, keepalived (issue 8)\n")
    L.append("Generated by `%s` on %s (%s mode; %s s in all). This directory is the issue's `bench/results/`.\n"
             % (env.get("command", "").strip(), env.get("date"), env.get("mode"), env.get("elapsed", "?").split()[0]))
    L.append("**Conditions.** %s. Host: %s. Versions: %s. Each daemon ran in its own boot of the same kernel "
             "with the same sandbox, one after the other: one nginx (worker_processes 1) in a network namespace "
             "answers every real (10.77.64.0/18 is local there), %s reals per virtual service, the director is the "
             "root namespace. Knobs: %s. Boots: %s.\n"
             % (env.get("kernel"), env.get("host"), env.get("versions"), env.get("knob.PERVIRT"),
                ", ".join("%s=%s" % (k[5:], v) for k, v in env.items() if k.startswith("knob.")),
                ", ".join("%s %s" % (k[5:], v) for k, v in env.items() if k.startswith("boot."))))
    calib = ["%s %s s" % (r[0], r[5]) for r in rows if r[1] == "calibration" and r[4] == "java_version_s"]
    if calib:
        L.append("**Machine speed.** `java -version` inside each daemon's guest, before the daemon started: %s "
                 "(0.7 s to 5.4 s on this project's machines). Every absolute number of a run moves with it; "
                 "compare daemons within one run.\n" % ", ".join(calib))
    L.append("**Same settings for all three**: check interval 1 s, timeout %s s (ldirectord `checktimeout`/"
             "`negotiatetimeout`, keepalived `connect_timeout`), one failure takes a real out (`failurecount=1`; "
             "keepalived `retry 0`, and `delay_before_retry 1` so that a failed real is re-checked every second as the others do, instead of HTTP_GET's default 3 s), `quiescent=no` for ldirector and ldirectord so a failed real leaves the table "
             "as keepalived's does (keepalived's default), NAT forwarding, fallback / `sorry_server` 10.77.120.1:80. "
             "HTTP check: ldirector/ldirectord `checktype=negotiate service=http request=\"check.html\" receive=\"ok\"`, "
             "keepalived `HTTP_GET` on /check.html expecting status 200. TCP check: `checktype=connect` / `TCP_CHECK`. "
             "ldirectord runs with `fork=%s` (one checker process per virtual service). The configs are generated from "
             "one description (`probe.py genconf`).\n"
             % (env.get("knob.CHECK_TIMEOUT", "1"), env.get("knob.LDIRECTORD_FORK", "yes")))
    L.append("**How it is measured.** A real fails by an iptables-legacy rule in the reals' namespace: `REJECT "
             "--reject-with tcp-reset` (refused) or `DROP` (black hole). t0 is when `iptables-legacy` has returned; the "
             "service under test is read over generic netlink (what `ipvsadm -Ln -t VIP:PORT` asks) every 20 ms, so "
             "every latency carries up to 20 ms of polling granularity (runs before 3221a59 read the whole "
             "`/proc/net/ip_vs` instead, about 2 ms of the guest's CPU per poll at 1,000 reals). Each trial waits a random 0-1 s before the failure (random phase "
             "against the check interval). CPU, two clocks, over the same window after the warm-up. *Host clock* "
             "(the one the verdicts use): the CPU time of every host process of the guest (its kernel and one process "
             "per guest address space), read on the host from /proc at marks the guest leaves at the window's ends, "
             "minus the same guest's rate at rest (nginx up, no daemon; BASE seconds before the daemon started): the "
             "daemon's own code, the guest kernel's work for it and the reals' work answering its probes, exact to "
             "1/100 s. *Guest clock*: utime+stime (+ reaped children) of the daemon's process tree from the guest's "
             "/proc/PID/stat, which in User-Mode Linux counts whole 10 ms jiffies (a short burst at the same phase "
             "every second is charged 10 ms every time or never) and charges the host's steal time to whichever "
             "guest thread runs; kept for comparison with earlier runs. Peak RSS: VmHWM summed over its processes at the "
             "end of the window (shared pages of ldirectord's forked children count once per process). Probe rate: "
             "nginx's own counters (stub_status: requests for HTTP, accepted connections for TCP) over the window; "
             "'every interval' = reals that nginx's access log shows at least once per second of the window (HTTP).\n")

    # 1 detection
    L.append("## 1. Detection latency (s, median / max): a real fails -> it leaves `ipvsadm -Ln`\n")
    body = []
    for n in D.sizes("detect"):
        for fk, label in (("refuse", "refused connections"), ("drop", "black hole (DROP)")):
            body.append([n, label] + [det_cell(D, d, n, fk, 0) for d in ds])
    L.append(md_table(["reals", "failure"] + ds, body) + "\n")
    for n in D.sizes("detect"):
        for d in ds:
            kv = D.kv(d, "startup", n, "http")
            if "incomplete" in kv:
                L.append("- %s at %d reals: the table never held every real (%s at the end of start-up); the "
                         "trials used reals that were in it. Where reals also leave and return without an injected "
                         "failure (an overloaded checker's own timeouts), a latency near 0 is such a flap coinciding "
                         "with the failure, and recovery times include flaps.\n"
                         % (d, n, entries(kv["incomplete"])))
    L.append("Target: refused connections detected within checkinterval + 100 ms = %.1f s at 1,000 reals. "
             "A black hole can only be noticed when the check times out (timeout %s s), so it is bounded by "
             "interval + timeout.\n" % (TARGET_DETECT, env.get("knob.CHECK_TIMEOUT", "1")))

    # 2 recovery and fallback
    L.append("## 2. Recovery and fallback latency (s, median / max)\n")
    body = []
    for n in D.sizes("detect"):
        for fk, label in (("refuse", "after refused"), ("drop", "after black hole")):
            body.append([n, "recovery " + label + ": rule removed -> real back in the table"]
                        + [det_cell(D, d, n, fk, 1) for d in ds])
    for n in D.sizes("fallback"):
        fin = {d: [num(r[4]) for r in D.sel(d, "fallback", n)] for d in ds}
        fout = {d: [num(r[5]) for r in D.sel(d, "fallback", n)] for d in ds}
        body.append([n, "fallback: all reals of a virtual refuse at once -> sorry server in"] + [stat(fin[d]) for d in ds])
        body.append([n, "fallback gone: one real back -> sorry server out"] + [stat(fout[d]) for d in ds])
    L.append(md_table(["reals", "event"] + ds, body) + "\n")

    # 3 cost
    L.append("## 3. Cost at checkinterval 1\n")
    steady = env.get("knob.STEADY_SIZES", "").split()
    L.append("Each window starts %s s after the table is full%s.\n"
             % (env.get("knob.WARMUP", "?"),
                ", and %s s after it at %s reals, where a JVM is still compiling code that runs once a second "
                "for minutes after start (keepalived and ldirectord have no compiler; all three wait alike)"
                % (env.get("knob.STEADY_WARMUP", "?"), " and ".join(steady)) if steady else ""))
    for kind, label in (("http", "HTTP (negotiate / HTTP_GET)"), ("connect", "TCP connect (connect / TCP_CHECK)")):
        body = []
        for n in D.sizes("cost", kind):
            for d in ds:
                kv = D.kv(d, "cost", n, kind)
                if "skipped" in kv:
                    body.append([n, d, "skipped: " + kv["skipped"], "", "", "", "", "", ""])
                    continue
                if not kv:
                    continue
                rss = num(kv.get("rss_kb"))
                every = kv.get("reals_every_interval_pct", "")
                body.append([n, d, kv.get("host_share_s_per_min", "n/a"), kv.get("host_ms_per_1000_probes", "n/a"),
                             kv.get("cpu_s_per_min", "n/a"), kv.get("cpu_ms_per_1000_probes", "n/a"),
                             "%.1f" % (rss / 1024) if rss is not None else "n/a",
                             "%s (%s per real)" % (kv.get("probes_per_s"), kv.get("per_real_per_s")),
                             (every + " %") if every else ""])
        if body:
            L.append("### " + label + "\n")
            L.append(md_table(["reals", "daemon", "CPU s/min, host clock", "ms per 1,000 probes, host clock",
                               "CPU s/min, guest clock", "ms per 1,000 probes, guest clock", "peak RSS MB",
                               "probes/s nginx saw", "reals probed every interval"], body) + "\n")
    body = []
    for kind in ("http", "connect"):
        for n in D.sizes("host", kind):
            kv = D.kv("ldirector", "host", n, kind)
            rss = num(kv.get("rss_kb"))
            every = kv.get("reals_every_interval_pct", "")
            body.append([n, kind, kv.get("cpu_s_per_min", "n/a"), kv.get("cpu_ms_per_1000_probes", "n/a"),
                         "%.1f" % (rss / 1024) if rss is not None else "n/a",
                         "%s (%s per real)" % (kv.get("probes_per_s"), kv.get("per_real_per_s")),
                         (every + " %") if every else "", kv.get("table_full_s", "n/a")])
    if body:
        L.append("### ldirector on the host's own kernel\n")
        L.append("The same checks (checkinterval 1, timeout %s s, request check.html, receive \"ok\") run by "
                 "`test-fixtures/bench/host-steady.sh N KIND %s %s` after the guests, on the host (%s), against "
                 "one nginx on loopback (reals 127.x.y.z:8081) with ldirector's in-memory table in place of IPVS, "
                 "which the host's kernel lacks. %sCPU: utime+stime of the daemon's "
                 "process from /proc; probe rate and 'every interval' from nginx as above.\n"
                 % (env.get("knob.CHECK_TIMEOUT", "1"), env.get("knob.WARMUP", "?"), env.get("knob.WINDOW", "?"),
                    env.get("host", "?").split(", load")[0], guest_limit(D)))
        L.append(md_table(["reals", "check", "CPU s/min", "ms per 1,000 probes", "peak RSS MB", "probes/s nginx saw",
                           "reals probed every interval", "table full after (s)"], body) + "\n")
    L.append("Target: at 10,000 reals every real still checked every interval (1 probe per real per second); "
             "CPU per probe at or below keepalived's.\n")

    # 4 reload
    L.append("## 4. Reload: one real added to a %s-real config (%s checks)\n"
             % (env.get("knob.RELOAD_SIZE"), env.get("knob.RELOAD_KIND", "http")))
    body = []
    for d in ds:
        n = env.get("knob.RELOAD_SIZE")
        kv = D.kv(d, "reload", n, D.env.get("knob.RELOAD_KIND", "http"))
        if not kv:
            continue
        how = {"ldirector": "autoreload (file watched)", "ldirectord": "autoreload (file watched)",
               "keepalived": "SIGHUP right after the save (it does not watch the file)"}[d]
        body.append([d, how, kv.get("seconds", "n/a"), kv.get("kernel_ops_metrics", "-"), kv.get("kernel_ops_strace", "n/a")])
    L.append(md_table(["daemon", "how the change is picked up", "save -> new real in the kernel (s)",
                       "kernel operations (ldirector's own counter)", "kernel operations seen by strace"], body) + "\n")
    L.append("The save is a rename of the edited file over the old one. The time includes the new real's first "
             "check (ldirector and ldirectord add a real only once it passed a check; keepalived adds it at once). "
             "strace counts, in a second reload (another real added) with strace attached to every process of "
             "the daemon: for ldirector and keepalived the IPVS generic-netlink requests that change the table "
             "(`changes=`, with the breakdown by command; GET_* are reads), for ldirectord the `ipvsadm` processes "
             "it executes. Target: 1.\n")

    # 5 startup
    L.append("## 5. Start-up: process start -> full table programmed (s)\n")
    body = []
    for n in D.sizes("startup"):
        cells = []
        for d in ds:
            kvs = {}
            for kind in ("http", "connect"):
                kv = D.kv(d, "startup", n, kind)
                if kv:
                    kvs[kind] = kv.get("seconds") or ("incomplete: " + entries(kv["incomplete"]) if "incomplete" in kv
                                                     else "skipped" if "skipped" in kv else "n/a")
            cells.append(" / ".join(kvs.get(k, "-") for k in ("http", "connect")))
        body.append([n] + cells)
    L.append(md_table(["reals"] + [d + " (http / connect)" for d in ds], body) + "\n")
    L.append("From just before the daemon is launched until `/proc/net/ip_vs` holds every real. ldirector and "
             "ldirectord program a real only after its first check passed; keepalived adds every real at once "
             "(before checking). ldirector's figure includes the JVM's start.\n")

    L.append("## Targets (issue 8), for ldirector\n")
    L += targets(D)
    if os.path.exists(os.path.join(resdir, "FINDINGS.md")):
        L.append("\nWhat lies behind these verdicts, with evidence: [FINDINGS.md](FINDINGS.md) (hand-written, "
                 "not regenerated).")
    L.append("")
    L.append("## Chart\n")
    L.append("![latency and CPU against reals](side-by-side.png)\n")
    L.append("Raw data of this run: `results.tsv` next to this file (daemon, measurement, reals, check/failure, "
             "key, value).\n")
    with open(os.path.join(resdir, "RESULTS.md"), "w") as f:
        f.write("\n".join(L))
    with open(os.path.join(resdir, "results.tsv"), "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    chart(D, out, resdir)


def targets(D):
    out = []
    if "ldirector" not in D.daemons:
        return ["ldirector was not part of this run."]
    # 1) detection of refused connections within interval + 100 ms at 1,000 reals
    sizes = D.sizes("detect")
    if sizes:
        n = 1000 if 1000 in sizes else max(sizes)
        det = D.trials("ldirector", n, "refuse")[0]
        ok = [v for v in det if v is not None]
        if ok:
            med, mx = statistics.median(ok), max(ok)
            verdict = ("met" if mx <= TARGET_DETECT and len(ok) == len(det) else
                       "met by the median, not by the max" if med <= TARGET_DETECT else "not met")
            out.append("- Detection of refused connections <= %.1f s at %d reals%s: median %.2f s, max %.2f s "
                       "(n=%d) -> **%s**." % (TARGET_DETECT, n, "" if n == 1000 else " (1,000 not in this run)",
                                              med, mx, len(det), verdict))
    # 2) CPU per probe at or below keepalived's
    if "keepalived" in D.daemons:
        cmp_ = []
        for kind in ("http", "connect"):
            for n in D.sizes("cost", kind):
                la, kb = D.kv("ldirector", "cost", n, kind), D.kv("keepalived", "cost", n, kind)
                key = "host_ms_per_1000_probes" if "host_ms_per_1000_probes" in la and "host_ms_per_1000_probes" in kb \
                    else "cpu_ms_per_1000_probes"
                a, b = num(la.get(key)), num(kb.get(key))
                if a is not None and b is not None:
                    cmp_.append((kind, n, a, b, "host" if key.startswith("host") else "guest"))
        if cmp_:
            good = [c for c in cmp_ if c[2] <= c[3]]
            out.append("- CPU per probe at or below keepalived's: %d of %d cases -> **%s** (%s)." % (
                len(good), len(cmp_), "met" if len(good) == len(cmp_) else "not met" if not good else "partly met",
                "; ".join("%s %d: %.0f vs %.0f ms per 1,000 probes (%s clock)" % c for c in cmp_)))
    # 3) at 10,000 reals every real checked every interval: on the host's kernel where it was measured
    # there (probe throughput), with the guest's figure beside it
    for kind in ("http", "connect"):
        line = every_interval(D, kind)
        if line:
            out.append(line)
    # 4) reload: one kernel operation
    for r in D.sel("ldirector", "reload"):
        if r[4] == "kernel_ops_metrics":
            out.append("- Reload issues one kernel operation: ldirector's counter says %s%s -> **%s**." % (
                r[5], "".join(", strace: " + x[5] for x in D.sel("ldirector", "reload") if x[4] == "kernel_ops_strace"),
                "met" if r[5] == "1" else "not met"))
    return out


def guest_rates(D, kind):
    """The largest size of the guests' cost phase for `kind` (10,000 in a full run) and each daemon's probes
    per real per second there, daemons without that figure left out; (None, {}) when there is no such phase."""
    sizes = D.sizes("cost", kind)
    if not sizes:
        return None, {}
    n = max(sizes)
    per = {d: num(D.kv(d, "cost", n, kind).get("per_real_per_s")) for d in D.daemons}
    return n, {d: v for d, v in per.items() if v is not None}


def guest_limit(D):
    """What this run says about the guest limiting the probe rate at the largest guest size, per check: the
    daemons' probes per real per second in User-Mode Linux against ldirector's on the host. Empty when the run
    holds nothing to compare."""
    said = []
    for kind in ("http", "connect"):
        n, per = guest_rates(D, kind)
        if n is None:
            continue
        host = [num(D.kv("ldirector", "host", h, kind).get("per_real_per_s")) for h in D.sizes("host", kind) if h >= n]
        if not per or not host or host[0] is None:
            continue
        text = "%s at %d reals: %s in the guest, ldirector %.3f here" % (
            kind, n, ", ".join("%s %.3f" % (d, v) for d, v in per.items()), host[0])
        if all(v < 0.95 for v in per.values()) and host[0] >= 0.95:
            text += ", so the guest, not the daemon, set the limit"
        said.append(text)
    if not said:
        return ""
    return ("In User-Mode Linux one CPU carries the daemon, nginx and the network stack. Probes per real per "
            "second, " + "; ".join(said) + ". ")


def every_interval(D, kind):
    """The verdict on 'every real checked every interval' at the largest size (10,000 in a full run):
    from the host's kernel when host-steady.sh ran, else from the guest."""
    def reading(what, n):
        kv = D.kv("ldirector", what, n, kind)
        per, every = num(kv.get("per_real_per_s")), num(kv.get("reals_every_interval_pct"))
        if per is None:
            return None
        ok = per >= 0.95 and (every is None or every >= 99)
        text = "%.3f probes per real per second%s" % (
            per, "" if every is None else ", %.1f %% of reals seen at least once per second" % every)
        return ok, text

    host_sizes = D.sizes("host", kind)
    n_host = (10000 if 10000 in host_sizes else max(host_sizes)) if host_sizes else None
    n_uml, rates = guest_rates(D, kind)
    host = reading("host", n_host) if n_host else None
    uml = reading("cost", n_uml) if n_uml else None
    if host is None and uml is None:
        return None
    n = n_host if host else n_uml
    head = "- Every real checked every interval at %d reals (%s)%s: " % (
        n, kind, "" if n == 10000 else " (10,000 not in this run)")
    if host is None:
        return head + "%s -> **%s**." % (uml[1], "met" if uml[0] else "not met")
    text = head + "on the host's kernel %s -> **%s**" % (host[1], "met" if host[0] else "not met")
    if uml is not None:
        others = ", ".join("%s %.3f" % (d, v) for d, v in rates.items() if d != "ldirector")
        text += "; in User-Mode Linux at %d reals %s (%s), %s" % (
            n_uml, uml[1], others or "no other daemon measured",
            "met there too" if uml[0] else "not reached there")
    return text + "."


def chart(D, out, resdir):
    """Three panels: detection latency (refused, median with max) against reals; CPU s/min against reals
    for HTTP and for TCP connect; one line per daemon, log x."""
    files = {}
    for d in D.daemons:
        p = os.path.join(out, "plot-%s-detect.dat" % d)
        with open(p, "w") as f:
            for n in D.sizes("detect"):
                if "incomplete" in D.kv(d, "startup", n, "http"):
                    continue  # the table never held every real: trials and flaps mixed, not plotted
                for fk, off in (("refuse", 0), ("drop", 1)):
                    det = [v for v in D.trials(d, n, fk)[0] if v is not None]
                    if det:
                        f.write("%d %s %.3f %.3f %.3f\n" % (n, fk, statistics.median(det), min(det), max(det)))
        files[(d, "detect")] = p
        for kind in ("http", "connect"):
            p = os.path.join(out, "plot-%s-%s.dat" % (d, kind))
            with open(p, "w") as f:
                for n in D.sizes("cost", kind):
                    kv = D.kv(d, "cost", n, kind)
                    cpu = kv.get("host_share_s_per_min", kv.get("cpu_s_per_min"))
                    if cpu is not None and num(cpu) is not None and num(cpu) > 0:  # log scale
                        f.write("%d %s %s\n" % (n, cpu, kv.get("per_real_per_s", "0")))
            files[(d, kind)] = p
    color = {"ldirector": "#1b7837", "keepalived": "#2166ac", "ldirectord": "#b2182b"}
    g = ['set terminal pngcairo size 1500,520 font "sans,10"',
         'set output "%s"' % os.path.join(resdir, "side-by-side.png"),
         'set multiplot layout 1,3 title "ldirector vs keepalived vs ldirectord, one UML kernel, checkinterval 1 s (%s)"'
         % D.env.get("date", ""),
         'set logscale x', 'set grid', 'set key top center', 'set xlabel "reals"', 'set offsets graph 0.05, graph 0.05, 0, 0']
    g += ['set title "Detection latency: median, bars min-max (full tables only)"',
          'set ylabel "seconds"', 'set yrange [0:*]',
          'set arrow from graph 0, first %.1f to graph 1, first %.1f nohead dt 3 lc rgb "black"' % (TARGET_DETECT, TARGET_DETECT),
          'set label "target for refused: interval + 100 ms" at graph 0.3, first %.2f font ",8"' % (TARGET_DETECT + 0.05)]
    plots = []
    for d in D.daemons:
        p = files[(d, "detect")]
        if os.path.getsize(p):
            plots.append('"< grep refuse %s" using 1:3:4:5 with yerrorlines lw 2 lc rgb "%s" title "%s refused"'
                         % (p, color[d], d))
            plots.append('"< grep drop %s" using 1:3:4:5 with yerrorlines lw 1 dt 2 lc rgb "%s" title "%s black hole"'
                         % (p, color[d], d))
    g.append("plot " + ", ".join(plots) if plots else 'plot 0 notitle')
    g += ['unset arrow', 'unset label', 'set key top left']
    for kind, title in (("http", "CPU, HTTP checks"), ("connect", "CPU, TCP connect checks")):
        g += ['set title "%s"' % title, 'set ylabel "CPU s per minute (host clock where read)"', 'set logscale y', 'set yrange [*:*]']
        plots = ['"%s" using 1:2 with linespoints lw 2 pt 7 lc rgb "%s" title "%s"' % (files[(d, kind)], color[d], d)
                 for d in D.daemons if os.path.getsize(files[(d, kind)])]
        g.append("plot " + ", ".join(plots) if plots else 'plot 1 notitle')
        g.append('unset logscale y')
    g.append("unset multiplot")
    gp = os.path.join(out, "chart.gp")
    with open(gp, "w") as f:
        f.write("\n".join(g) + "\n")
    subprocess.run(["gnuplot", gp], check=False)


if __name__ == "__main__":
    report(sys.argv[1], sys.argv[2])
