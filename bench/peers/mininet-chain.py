#!/usr/bin/python3
"""Mininet 2.3 (Debian's `mininet` package, installed with --no-install-recommends: no Open vSwitch,
no controller) building the chain that bench/floor/render.mjs rendered with asymlab's own code: the
same nodes, veths with the plan's MACs, addresses, sysctls, FRR files and daemon command lines.
Written the Mininet way: a Host per node (a bash in its own network and mount namespace, driven
through a pty), Link for each veth with its address as an interface parameter, node.cmd for the
rest, node.popen for long-running processes, net.stop() to end.

    python3 mininet-chain.py MANIFEST   ->  one JSON line on stdout

Nothing here changes the host: see bench/README.md (Mininet) for what its classes were checked to do.
"""
import ipaddress
import json
import os
import pwd
import select
import shutil
import subprocess
import sys
import time

from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import Host

# Mininet.__init__ calls Mininet.init(), whose fixLimits() raises host-wide sysctls (fs.file-max,
# net.core.*mem_max, net.ipv4.tcp_*mem, neighbour gc thresholds, route max_size, kernel.pty.max) and
# rlimits. Marked as done, it is skipped: the host stays as it is.
Mininet.inited = True

WINDOW = 16  # routers started at once, as asymlab and the floor do
ROUTE_GROUPS = 0x40 | 0x400  # RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE
TYPES = {'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'}


def now_ms():
    return time.monotonic() * 1000


def canonical(dst):
    if dst == 'default':
        return dst
    if '/' not in dst:
        dst += '/128' if ':' in dst else '/32'
    return str(ipaddress.ip_network(dst, strict=False))


def parse_monitor_line(line):
    """(deleted, prefix, key) of an `ip monitor route` line, as asymlab's parseMonitorLine."""
    if not line.strip() or line[0].isspace():
        return None
    w = line.split()
    deleted = w[0] == 'Deleted'
    if deleted:
        w = w[1:]
    if w and w[0] in TYPES:
        w = w[1:]
    if not w:
        return None

    def after(k):
        return w[w.index(k, 1) + 1] if k in w[1:] and w.index(k, 1) + 1 < len(w) else None

    if after('table') not in (None, 'main', '254') or 'cache' in w:
        return None
    prefix = canonical(w[0])
    v6 = ':' in w[0] or 'pref' in w
    return deleted, prefix, '%d %s %s' % (6 if v6 else 4, prefix, after('metric') or '0')


def listening(pid):
    """Whether pid holds a NETLINK_ROUTE socket subscribed to route events (as asymlab's route-watch)."""
    try:
        inodes = set()
        for fd in os.listdir('/proc/%d/fd' % pid):
            link = os.readlink('/proc/%d/fd/%s' % (pid, fd))
            if link.startswith('socket:['):
                inodes.add(int(link[8:-1]))
        with open('/proc/%d/net/netlink' % pid) as f:
            for row in f.read().split('\n')[1:]:
                c = row.split()
                if len(c) >= 10 and c[1] == '0' and int(c[9]) in inodes and int(c[3], 16) & ROUTE_GROUPS:
                    return True
    except OSError:
        pass
    return False


class RouteClock:
    """bench/lib/route-clock.mjs in Python: last route, and asymlab's settle rule."""

    def __init__(self, m):
        self.quiet_ms = 3 * max(100, 2 * m['routers'])
        self.expected = [(r['node'], canonical(r['prefix'])) for r in m['expected']]
        self.missing_all = {(r['node'], canonical(r['prefix'])) for r in m['all']}
        self.tables = {}
        self.last_event = now_ms()
        self.last_route = None
        self.partial = {}

    def chunk(self, node, text):
        lines = (self.partial.get(node, '') + text).split('\n')
        self.partial[node] = lines.pop()
        for line in lines:
            e = parse_monitor_line(line)
            if not e:
                continue
            deleted, prefix, key = e
            t = now_ms()
            self.last_event = t
            keys = self.tables.setdefault(node, {}).setdefault(prefix, set())
            if deleted:
                keys.discard(key)
                if not keys and self.last_route is None:
                    self.missing_all.add((node, prefix))
            else:
                keys.add(key)
                if (node, prefix) in self.missing_all:
                    self.missing_all.discard((node, prefix))
                    if not self.missing_all:
                        self.last_route = t

    def settled(self, t):
        return all(self.tables.get(n, {}).get(p) for n, p in self.expected) and t - self.last_event >= self.quiet_ms


class Monitors:
    """One `ip monitor route` per router through node.popen (mnexec -a: the node's namespaces), drained as they speak."""

    def __init__(self, routers, clock):
        self.clock = clock
        self.by_fd = {}
        self.procs = []
        self.poller = select.poll()
        for h in routers:
            p = h.popen(['ip', 'monitor', 'route'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            fd = p.stdout.fileno()
            os.set_blocking(fd, False)
            self.by_fd[fd] = h.name
            self.poller.register(fd, select.POLLIN)
            self.procs.append(p)

    def pump(self, timeout_ms):
        for fd, _ in self.poller.poll(timeout_ms):
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            if data:
                self.clock.chunk(self.by_fd[fd], data.decode())
            else:
                self.poller.unregister(fd)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            p.wait()
        self.procs = []


def start_line(daemons):
    """zebra first, then the others at once (as asymlab's startFrr); RC tells how it went."""
    first, rest = ' '.join(daemons[0]), [' '.join(d) for d in daemons[1:]]
    tail = '' if not rest else ' && ' + (rest[0] if len(rest) == 1 else '{ %s & wait; }' % ' & '.join(rest))
    return '%s%s; echo RC=$?' % (first, tail)


def place_files(n, frr_uid, frr_gid):
    for d in (n['confDir'], n['runDir']):
        os.makedirs(d, exist_ok=True)
        os.chown(d, frr_uid, frr_gid)
    for f in os.listdir(n['files']):
        if f == 'start':
            continue
        dst = os.path.join(n['confDir'], f)
        shutil.copyfile(os.path.join(n['files'], f), dst)
        os.chown(dst, frr_uid, frr_gid)


def start_frr(hosts, routers, monitors):
    frr = pwd.getpwnam('frr')
    pending, active, polls = list(routers), {}, select.poll()
    while pending or active:
        while pending and len(active) < WINDOW:
            n = pending.pop(0)
            h = hosts[n['name']]
            place_files(n, frr.pw_uid, frr.pw_gid)
            h.sendCmd(start_line(n['daemons']))
            fd = h.stdout.fileno()
            active[fd] = [h, '']
            polls.register(fd, select.POLLIN)
        monitors.pump(0)
        for fd, _ in polls.poll(20):
            h, out = active[fd]
            out += h.monitor(timeoutms=0)
            active[fd][1] = out
            if not h.waiting:
                polls.unregister(fd)
                del active[fd]
                if 'RC=0' not in out:
                    raise RuntimeError('%s: FRR did not start: %s' % (h.name, out.strip()[-300:]))


def daemon_pids(routers):
    pids = []
    for n in routers:
        for f in os.listdir(n['runDir']) if os.path.isdir(n['runDir']) else []:
            if f.endswith('.pid'):
                with open(os.path.join(n['runDir'], f)) as fh:
                    pid = int(fh.read().strip() or 0)
                try:
                    with open('/proc/%d/cmdline' % pid, 'rb') as c:
                        if ('\0-N\0%s\0' % n['ns']).encode() in b'\0' + c.read():
                            pids.append(pid)
                except OSError:
                    pass
    return pids


def alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except OSError:
        return False


def main():
    setLogLevel('error')
    m = json.load(open(sys.argv[1]))
    routers = [n for n in m['nodes'] if n.get('daemons')]
    nodes = {n['name']: n for n in m['nodes']}
    out = {'tool': 'mininet', 'kind': 'routers' if routers else 'hosts', 'n': len(m['nodes'])}
    t0 = now_ms()
    net = Mininet(topo=None, build=False, controller=None)
    monitors = None
    try:
        hosts = {n['name']: net.addHost(n['name'], cls=Host, ip=None) for n in m['nodes']}
        for link in m['links']:
            a, b = link['a'], link['b']
            ia = next(i for i in nodes[a['node']]['interfaces'] if i['name'] == a['iface'])
            ib = next(i for i in nodes[b['node']]['interfaces'] if i['name'] == b['iface'])
            net.addLink(hosts[a['node']], hosts[b['node']], intfName1=ia['name'], intfName2=ib['name'], addr1=ia['mac'], addr2=ib['mac'],
                        params1={'ip': ia['addresses'][0]} if ia['addresses'] else {}, params2={'ip': ib['addresses'][0]} if ib['addresses'] else {})
        net.build()
        for n in m['nodes']:
            extra = ['ip addr add %s dev lo' % p for p in n['loopbacks']]
            extra += ['ip addr add %s dev %s' % (a, i['name']) for i in n['interfaces'] for a in i['addresses'][1:]]
            hosts[n['name']].cmd('; '.join(['sysctl -q -w ' + ' '.join(n['sysctls'])] + extra))
        if routers:
            clock = RouteClock(m)
            monitors = Monitors([hosts[n['name']] for n in routers], clock)
            waiting = list(monitors.procs)
            while waiting:
                waiting = [p for p in waiting if not listening(p.pid)]
                monitors.pump(10)
            out['monitorsMs'] = round(now_ms() - t0)
            start_frr(hosts, routers, monitors)
            out['frrMs'] = round(now_ms() - t0)
            deadline = now_ms() + 120000 + 500 * len(routers)
            while not clock.settled(now_ms()):
                if now_ms() > deadline:
                    raise RuntimeError('not settled: %d routes missing' % len(clock.missing_all))
                monitors.pump(50)
            out['upMs'] = round(now_ms() - t0)
            out['lastRouteMs'] = None if clock.last_route is None else round(clock.last_route - t0)
            monitors.stop()
        else:
            out['upMs'] = round(now_ms() - t0)
    finally:
        if monitors:
            monitors.stop()
        t1 = now_ms()
        # FRR daemonises out of the node's shell: ended by their pid files, through the node, as a Mininet script would.
        ended = []
        for n in routers:
            pids = daemon_pids([n])
            if pids and n['name'] in net.nameToNode:
                net.nameToNode[n['name']].cmd('kill ' + ' '.join(str(p) for p in pids))
            ended += pids
        while any(alive(p) for p in ended):
            time.sleep(0.02)
        net.stop()
        for n in routers:
            shutil.rmtree(n['confDir'], ignore_errors=True)
            shutil.rmtree(n['runDir'], ignore_errors=True)
        out['downMs'] = round(now_ms() - t1)
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
