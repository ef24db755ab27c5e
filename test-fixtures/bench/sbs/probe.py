#!/usr/bin/python3
"""Measurement helper of side-by-side.sh, run inside User-Mode Linux (root namespace = the director).

It never sends traffic anywhere but the test hosts of the sandbox (10.77.x.y in namespace "reals").

  probe.py wait-full N SECONDS START           wait until the kernel table holds N reals; prints the
                                               seconds since START (epoch, taken just before the launch)
  probe.py reload CFG NEW VPORT IP HUPPID SECS rename NEW over CFG (+ SIGHUP to HUPPID unless 0), time
                                               until IP is in service VIP:VPORT
  probe.py cost ROOTPID WINDOW KIND NREALS [NAME]  CPU and peak RSS of ROOTPID's process tree over
                                               WINDOW seconds, and the probes nginx saw; prints key=value;
                                               with NAME, marks NAME-start and NAME-end for the host
  probe.py detect KIND TRIALS NREALS PERVIRT   fail one real at a time (KIND refuse|drop), time until it
                                               leaves the table, then recover it and time its return
  probe.py fallback TRIALS PERVIRT             fail all reals of virtual 1 at once -> sorry server in;
                                               one back -> sorry server out
  probe.py wait-real VPORT REALIP SECONDS      wait until REALIP is in service VIP:VPORT; prints seconds

Timing: a failure is injected by an iptables rule in the reals' namespace (REJECT with a TCP reset =
refused connections; DROP = black hole); t0 is when iptables-legacy has returned, i.e. the rule is in
force. The service under test is read over generic netlink (what `ipvsadm -Ln -t VIP:PORT` asks,
without a fork) every POLL seconds (default 0.02), so latencies carry up to that much quantisation.
Not /proc/net/ip_vs, which is the whole table: at 1,000 reals one read of it cost the one-CPU guest
about 2 ms, and 50 a second took 10 % of the CPU that the daemons under test were short of while a
failure was being detected. Whole-table questions (is the table full, which real to fail) still
read /proc/net/ip_vs, a few times a trial.
"""
import os
import random
import socket
import struct
import subprocess
import sys
import time

VIP = "10.77.0.100"
BASE_PORT = 10000
POLL = float(os.environ.get("POLL", "0.02"))
SORRY = ("10.77.120.1", 80)
OUT = os.environ.get("SBS_OUT", "/tmp")


def real_ip(i):
    """Global real index (0-based) -> its address in the reals' any-IP range 10.77.64.0/18."""
    return "10.77.%d.%d" % (64 + i // 250, i % 250 + 1)


def hexaddr(ip, port):
    a = ip.split(".")
    return "%02X%02X%02X%02X:%04X" % (int(a[0]), int(a[1]), int(a[2]), int(a[3]), port)


def read_table():
    """{service hex 'AAAAAAAA:PPPP': {real hex: weight}} from /proc/net/ip_vs."""
    with open("/proc/net/ip_vs") as f:
        text = f.read()
    table = {}
    cur = None
    for line in text.split("\n"):
        if line.startswith("TCP  ") or line.startswith("UDP  "):
            cur = table.setdefault(line.split()[1], {})
        elif line.startswith("  ->") and cur is not None:
            p = line.split()
            if p[1] != "RemoteAddress:Port":
                cur[p[1]] = int(p[3])
    return table


NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
IPVS_CMD_GET_DEST, IPVS_CMD_ATTR_SERVICE, IPVS_CMD_ATTR_DEST = 8, 1, 2
SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT = 1, 2, 3, 4
DEST_ADDR, DEST_PORT, DEST_WEIGHT = 1, 2, 4


def attr(kind, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, kind) + data + b"\0" * (-n % 4)


def attrs(buf):
    out, i = {}, 0
    while i + 4 <= len(buf):
        n, kind = struct.unpack_from("=HH", buf, i)
        if n < 4:
            break
        out[kind & 0x3fff] = buf[i + 4:i + n]
        i += (n + 3) & ~3
    return out


class Ipvs:
    """The destinations of one service over generic netlink (IPVS_CMD_GET_DEST, dumped): a few
    system calls and one record per real of that service instead of the whole /proc/net/ip_vs
    (1,100 lines at 1,000 reals) per poll."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.seq = 0
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST, attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0"))
        self.family = struct.unpack("=H", attrs(reply[0])[CTRL_ATTR_FAMILY_ID][:2])[0]

    def request(self, kind, cmd, flags, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), kind, flags, self.seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(1 << 16)
            i = 0
            while i + 16 <= len(data):
                n, t, _, seq, _ = struct.unpack_from("=IHHII", data, i)
                if t == NLMSG_DONE:
                    return replies
                if t == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, i + 16)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return replies
                replies.append(data[i + 20:i + n])  # past nlmsghdr and genlmsghdr
                if not flags & NLM_F_DUMP:
                    return replies
                i += (n + 3) & ~3

    def dests(self, vip, vport):
        """{'AAAAAAAA:PPPP' (as /proc/net/ip_vs spells a real): weight}; {} when the service is absent."""
        svc = attr(IPVS_CMD_ATTR_SERVICE, attr(SVC_AF, struct.pack("=H", socket.AF_INET))
                   + attr(SVC_PROTOCOL, struct.pack("=H", socket.IPPROTO_TCP))
                   + attr(SVC_ADDR, socket.inet_aton(vip) + b"\0" * 12)
                   + attr(SVC_PORT, struct.pack("!H", vport)))
        # an absent service is an empty dump; an error is raised, never read as "the real is gone"
        out = {}
        for r in self.request(self.family, IPVS_CMD_GET_DEST, NLM_F_REQUEST | NLM_F_DUMP, svc):
            d = attrs(attrs(r).get(IPVS_CMD_ATTR_DEST, b""))
            if DEST_ADDR in d:
                key = "%s:%04X" % (d[DEST_ADDR][:4].hex().upper(), struct.unpack("!H", d[DEST_PORT])[0])
                out[key] = struct.unpack("=I", d[DEST_WEIGHT])[0]
        return out


def service_reals(vport):
    """{real hex: weight} of service VIP:vport, over netlink (see Ipvs)."""
    global _ipvs
    if _ipvs is None:
        _ipvs = Ipvs()
    return _ipvs.dests(VIP, vport)


_ipvs = None


def wait_for(cond, deadline_s):
    """Polls cond() every POLL s; returns seconds until it held, or None at the deadline."""
    t0 = time.monotonic()
    while True:
        if cond():
            return time.monotonic() - t0
        if time.monotonic() - t0 > deadline_s:
            return None
        time.sleep(POLL)


class RealsShell:
    """One bash in the reals' namespace, so that injecting a failure costs one iptables fork."""

    def __init__(self):
        self.p = subprocess.Popen(["ip", "netns", "exec", "reals", "bash"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.run("true")

    def run(self, cmd):
        self.p.stdin.write(cmd + " >/dev/null 2>&1; echo __done__ $?\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("reals shell died")
            if line.startswith("__done__"):
                return int(line.split()[1])


def rule(kind, ip):
    target = "REJECT --reject-with tcp-reset" if kind == "refuse" else "DROP"
    return "-d %s/32 -p tcp --dport 80 -j %s" % (ip, target)


def present(vport, ip, port=80):
    key = hexaddr(ip, port)

    def f():
        w = service_reals(vport).get(key)
        return w is not None and w > 0
    return f


def absent(vport, ip, port=80):
    p = present(vport, ip, port)
    return lambda: not p()


def emit(*fields):
    print("\t".join(str(x) for x in fields), flush=True)


def fmt(x):
    return "timeout" if x is None else "%.3f" % x


def cmd_detect(kind, trials, nreals, pervirt):
    sh = RealsShell()
    nvirt = max(1, nreals // pervirt)
    rnd = random.Random(8)
    empty = 0
    for k in range(trials):
        # spread over the virtual services; the first real of the chosen virtual (from k % pervirt on)
        # that is in the table (ldirectord may not have programmed them all)
        ip = vport = None
        # a daemon that has not programmed a single real yet gets 30 s once, then 5 s per trial
        deadline = time.monotonic() + (5 if empty else 30)
        while ip is None and time.monotonic() < deadline:
            table = read_table()
            for dv in range(nvirt):
                v = (k * 37 + dv) % nvirt
                reals = table.get(hexaddr(VIP, BASE_PORT + v + 1), {})
                for dr in range(pervirt):
                    i = v * pervirt + (k + dr) % pervirt
                    if reals.get(hexaddr(real_ip(i), 80), 0) > 0:
                        ip, vport = real_ip(i), BASE_PORT + v + 1
                        break
                if ip:
                    break
            if ip is None:
                time.sleep(1)
        if ip is None:
            empty += 1
            emit("skip", kind, k, "-", "-", "no real in the table")
            continue
        time.sleep(rnd.uniform(0, 1.0))    # a random phase against the check interval
        sh.run("iptables-legacy -I INPUT " + rule(kind, ip))
        t0 = time.time()
        down = wait_for(absent(vport, ip), float(os.environ.get("DETECT_DEADLINE", "30")))
        sh.run("iptables-legacy -D INPUT " + rule(kind, ip))
        up = wait_for(present(vport, ip), float(os.environ.get("RECOVER_DEADLINE", "30")))
        emit("trial", kind, k, ip, vport, fmt(down), fmt(up))
        # when each failure began by the guest's clock, for sbs/timing.py against nginx's $msec
        with open(os.path.join(OUT, "detect-times.tsv"), "a") as f:
            f.write("%d\t%s\t%d\t%s\t%.3f\t%s\t%s\n" % (nreals, kind, k, ip, t0, fmt(down), fmt(up)))


def cmd_fallback(trials, pervirt):
    sh = RealsShell()
    vport = BASE_PORT + 1
    ips = [real_ip(i) for i in range(pervirt)]
    sorry_in = present(vport, *SORRY)
    rnd = random.Random(9)
    for k in range(trials):
        ok = wait_for(lambda: all(present(vport, ip)() for ip in ips) and not sorry_in(), 60)
        if ok is None:
            emit("skip", "fallback", k, "-", vport, "table not back to all reals up")
            continue
        time.sleep(rnd.uniform(0, 1.0))
        # all rules in one iptables-restore: every real fails at the same moment
        batch = "*filter\n" + "".join("-I INPUT %s\n" % rule("refuse", ip) for ip in ips) + "COMMIT\n"
        with open("/tmp/fail-all.rules", "w") as f:
            f.write(batch)
        sh.run("iptables-legacy-restore --noflush /tmp/fail-all.rules")
        t_in = wait_for(sorry_in, 60)
        time.sleep(rnd.uniform(0, 1.0))
        sh.run("iptables-legacy -D INPUT " + rule("refuse", ips[0]))
        t_out = wait_for(lambda: not sorry_in(), 60)
        sh.run("iptables-legacy -F INPUT")
        emit("fallback", k, vport, fmt(t_in), fmt(t_out))


def proc_tree(root):
    """The pid root and all its descendants, from /proc/*/stat."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
            except OSError:
                continue
            parent[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
    tree, todo = {root}, [root]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in tree:
                tree.add(c)
                todo.append(c)
    return tree


def cpu_ticks(pid):
    """utime+stime+cutime+cstime (children the process has reaped count too, e.g. ldirectord's ipvsadm)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()
    return sum(int(x) for x in f[11:15])


def hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def nginx_counters():
    """(accepts, requests) from nginx's stub_status in the reals' namespace."""
    import urllib.request
    body = urllib.request.urlopen("http://10.77.127.250/nginx_status", timeout=5).read().decode()
    nums = body.split("\n")[2].split()
    return int(nums[0]), int(nums[2])


def access_log_size():
    try:
        return os.path.getsize("/run/sbs/access.log")
    except OSError:
        return 0


def mark(name, wait_s=10.0):
    """Leaves SBS_OUT/mark-NAME for the host's watcher (hostcpu.sh), which answers with host-NAME once it
    has read the whole guest's CPU time; returns when it has, so that what follows is not in the reading.
    The scratch dir is hostfs, which keeps no dentries, so each look is the host's directory as it is.
    (inside.sh's mark() is the same for shell scripts, with builtins only.)"""
    tmp = os.path.join(OUT, ".mark-%s" % name)
    with open(tmp, "w") as f:
        f.write("%.3f\n" % time.time())
    os.rename(tmp, os.path.join(OUT, "mark-%s" % name))
    if wait_for(lambda: os.path.exists(os.path.join(OUT, "host-%s" % name)), wait_s) is None:
        print("mark %s: no answer from the host within %.0f s (no hostcpu_watch?)" % (name, wait_s), file=sys.stderr)


def cmd_cost(root, window, kind, nreals, name=None):
    """With NAME, the host reads the whole guest's CPU time at the window's start and end (marks
    NAME-start, NAME-end), inside the guest's own readings so that it leaves out reading /proc."""
    tck = os.sysconf("SC_CLK_TCK")
    c0 = {p: cpu_ticks(p) for p in proc_tree(root)}
    a0, r0 = nginx_counters()
    l0 = access_log_size()
    t0 = time.monotonic()
    if name:
        mark(name + "-start")
    time.sleep(max(0.0, window - (time.monotonic() - t0)))
    if name:
        mark(name + "-end")
    tree = proc_tree(root)
    c1 = {p: cpu_ticks(p) for p in tree}
    a1, r1 = nginx_counters()
    t1 = time.monotonic()
    l1 = access_log_size()
    el = t1 - t0
    cpu = sum((c1[p] or 0) - (c0.get(p) or 0) for p in c1 if c1[p] is not None) / tck
    rss = sum(hwm_kb(p) for p in tree)
    probes = (r1 - r0 - 1) if kind == "http" else (a1 - a0 - 1)  # minus our own stub_status request
    out = {"window_s": "%.1f" % el, "cpu_s": "%.2f" % cpu, "cpu_s_per_min": "%.3f" % (cpu / el * 60),
           "rss_kb": rss, "procs": len(tree), "probes": probes,
           "probes_per_s": "%.1f" % (probes / el),
           "per_real_per_s": "%.3f" % (probes / el / nreals),
           "cpu_ms_per_1000_probes": ("%.1f" % (cpu * 1e6 / probes)) if probes > 0 else "n/a"}
    if kind == "http" and l1 > l0:
        # nginx logs $server_addr per request (buffered, flushed every second): which reals were hit
        # how often within (about) the window
        time.sleep(1.5)
        counts = {}
        with open("/run/sbs/access.log", "rb") as f:
            f.seek(l0)
            data = f.read(l1 - l0)
        for line in data.split(b"\n"):
            if line:
                counts[line] = counts.get(line, 0) + 1
        seen = sorted(counts.values())
        out["reals_probed"] = len(counts)
        out["min_probes_per_real"] = seen[0] if seen else 0
        out["median_probes_per_real"] = seen[len(seen) // 2] if seen else 0
        # a real checked every interval (1 s) gets about one probe per second of window
        out["reals_every_interval_pct"] = "%.1f" % (
            100.0 * sum(1 for c in counts.values() if c >= int(el) - 1) / nreals)
    for k, v in out.items():
        print("%s=%s" % (k, v))


def cmd_wait_full(n, secs, start_epoch):
    """Seconds from start_epoch (the daemon's launch, time.time() scale) until the table holds n reals."""
    sorry = hexaddr(*SORRY)

    def full():
        return sum(1 for r in read_table().values() for k in r if k != sorry) >= n
    t = wait_for(full, secs)
    if t is None:
        table = read_table()
        sorry = hexaddr(*SORRY)
        print("timeout %d %d" % (sum(len(r) for r in table.values()),
                                 sum(1 for r in table.values() for k in r if k != sorry)))
    else:
        print("%.3f" % (time.time() - start_epoch))


def cmd_reload(cfg, newcfg, vport, ip, hup_pid, secs):
    """Saves the edited config (rename over the old one, as editors do), signals HUP_PID (0: none,
    the daemon watches the file), and times until ip is in the service."""
    os.rename(newcfg, cfg)
    t0 = time.monotonic()
    if hup_pid:
        os.kill(hup_pid, 1)
    t = wait_for(present(vport, ip), secs)
    print(fmt(t if t is None else time.monotonic() - t0))


def gen_configs(nreals, pervirt, kind, outdir, extra=0):
    """One description, three configs: ldirector.cf and ldirectord.cf (ldirectord's syntax; ldirector's
    copy adds metrics=, ldirectord's fork=) and keepalived.conf. nreals reals, pervirt per virtual
    service VIP:10001.., plus `extra` more reals in the last virtual (the reload's edit)."""
    nvirt = max(1, nreals // pervirt)
    timeout = os.environ.get("CHECK_TIMEOUT", "1")
    fork = os.environ.get("LDIRECTORD_FORK", "yes")
    groups = []
    for v in range(nvirt):
        reals = [real_ip(i) for i in range(v * pervirt, min(nreals, (v + 1) * pervirt))]
        if v == nvirt - 1:
            reals += [real_ip(nreals + j) for j in range(extra)]
        groups.append((BASE_PORT + v + 1, reals))
    head = ["checkinterval=1", "checktimeout=%s" % timeout, "negotiatetimeout=%s" % timeout,
            "failurecount=1", "quiescent=no", "autoreload=yes", 'logfile="/run/sbs/daemon.log"']
    body = []
    for vport, reals in groups:
        body.append("virtual=%s:%d" % (VIP, vport))
        body += ["\treal=%s:80 masq" % ip for ip in reals]
        body += ["\tfallback=%s:%d masq" % SORRY, "\tscheduler=wlc", "\tprotocol=tcp"]
        if kind == "http":
            body += ["\tchecktype=negotiate", "\tservice=http", '\trequest="check.html"', '\treceive="ok"']
        else:
            body += ["\tchecktype=connect"]
    with open(os.path.join(outdir, "ldirector.cf"), "w") as f:
        f.write("\n".join(head + ["metrics=127.0.0.1:9469"] + body) + "\n")
    with open(os.path.join(outdir, "ldirectord.cf"), "w") as f:
        f.write("\n".join(head + ["fork=%s" % fork] + body) + "\n")
    ka = ["global_defs {", "  router_id sbs", "}"]
    # keepalived's parser wants one brace block per line. delay_before_retry 1: after a failure
    # keepalived waits delay_before_retry (HTTP_GET default 3 s) instead of delay_loop before the next
    # check; the others check a failed real every interval, so the same 1 s for it too.
    if kind == "http":
        check = ["    HTTP_GET {", "      url {", "        path /check.html", "        status_code 200", "      }",
                 "      connect_timeout %s" % timeout, "      retry 0", "      delay_before_retry 1", "    }"]
    else:
        check = ["    TCP_CHECK {", "      connect_timeout %s" % timeout, "      retry 0", "      delay_before_retry 1",
                 "    }"]
    for vport, reals in groups:
        ka += ["virtual_server %s %d {" % (VIP, vport), "  delay_loop 1", "  lb_algo wlc", "  lb_kind NAT",
               "  protocol TCP", "  sorry_server %s %d" % SORRY]
        for ip in reals:
            ka += ["  real_server %s 80 {" % ip, "    weight 1"] + check + ["  }"]
        ka.append("}")
    with open(os.path.join(outdir, "keepalived.conf"), "w") as f:
        f.write("\n".join(ka) + "\n")


IPVS_CMDS = ["UNSPEC", "NEW_SERVICE", "SET_SERVICE", "DEL_SERVICE", "GET_SERVICE", "NEW_DEST", "SET_DEST",
             "DEL_DEST", "GET_DEST", "NEW_DAEMON", "DEL_DAEMON", "GET_DAEMON", "SET_CONFIG", "GET_CONFIG",
             "SET_INFO", "GET_INFO", "ZERO", "FLUSH"]


def cmd_count_strace(path):
    """IPVS generic-netlink requests in an strace -e trace=sendmsg,sendto log, by command (the first
    byte of the generic-netlink header). Prints 'changes=N' (commands that modify the table) and the
    breakdown; reads (GET_*) are the daemons' own table dumps."""
    import re
    counts = {}
    pat = re.compile(r'nlmsg_type=IPVS\b[^}]*}, "\\x([0-9a-f]{2})')
    with open(path, errors="replace") as f:
        for line in f:
            for m in pat.finditer(line):
                c = int(m.group(1), 16)
                name = IPVS_CMDS[c] if c < len(IPVS_CMDS) else str(c)
                counts[name] = counts.get(name, 0) + 1
    changes = sum(v for k, v in counts.items() if not k.startswith("GET_"))
    print("changes=%d %s" % (changes, " ".join("%s=%d" % kv for kv in sorted(counts.items()))))


def main():
    a = sys.argv[1:]
    if a[0] == "genconf":
        gen_configs(int(a[1]), int(a[2]), a[3], a[4], int(a[5]) if len(a) > 5 else 0)
        return
    if a[0] == "detect":
        cmd_detect(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "fallback":
        cmd_fallback(int(a[1]), int(a[2]))
    elif a[0] == "cost":
        cmd_cost(int(a[1]), float(a[2]), a[3], int(a[4]), a[5] if len(a) > 5 else None)
    elif a[0] == "wait-full":
        cmd_wait_full(int(a[1]), float(a[2]), float(a[3]))
    elif a[0] == "reload":
        cmd_reload(a[1], a[2], int(a[3]), a[4], int(a[5]), float(a[6]))
    elif a[0] == "wait-real":
        t = wait_for(present(int(a[1]), a[2]), float(a[3]))
        print(fmt(t))
    elif a[0] == "count-strace":
        cmd_count_strace(a[1])
    elif a[0] == "count":
        print(sum(len(r) for r in read_table().values()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
