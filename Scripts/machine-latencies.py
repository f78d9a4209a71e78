#!/usr/bin/env python3
"""The figures of the named machine profiles, from the core-to-core latency matrices they cite.

Usage: python3 Scripts/machine-latencies.py [--matrices DIR]

Reads the matrices in machines/core-to-core/ (copied unchanged from KCORES/core-to-core-latency-plus
at commit 264ea0a1f68a, MIT licence; LICENSE beside them). A number there is one move of a contended
cache line between CPU i and CPU j: a compare-and-swap ping-pong's round trip / 2, in nanoseconds.
The files are lower-triangular (row i, columns j < i) in the operating system's CPU numbering.

For each profile the script finds the structure from the matrix itself, then summarises it:

1. Cuts. Each profile names at most two latencies, a domain cut and a socket cut, each chosen in an
   empty stretch of the matrix's latencies (the script prints the stretch, so a reader sees that
   the cut separates two classes and does not split one). Two CPUs whose line moves faster than a
   cut are joined; the groups that result (connected components) are the domains, or the sockets.
2. Checks. Every group must be a run of consecutive CPU numbers, all groups of one size, and every
   pair inside a group below the cut: then the numbering is socket-major and domain-major, which is
   how MachineProfile numbers its CPUs. A profile without a socket cut is one socket; the script
   prints the medians of the two halves of the CPUs (same half, across halves) to show no socket
   split hides there.
3. Summary. The median of every pair in each class: same domain, same socket but another domain,
   across sockets. A median, not the mean, because single pairs stray (scheduler noise, a busy
   core during the measurement), and not the whole matrix, because the model places agents by
   class and the per-pair spread within a class is mostly that noise.

Python 3 standard library only; the output is deterministic.
"""

import argparse
import csv
import os
import statistics
import sys


class Machine:
    """A profile's matrix file and the cuts that find its domains and sockets (None: no such split)."""

    def __init__(self, profile, file, domain_cut=None, socket_cut=None, note="", domain_groups=None, additive=False):
        self.profile = profile
        self.file = file
        self.domain_cut = domain_cut
        self.socket_cut = socket_cut
        self.note = note
        # Shown, not kept: runs of this many CPUs whose domains are a little closer to each other.
        self.domain_groups = domain_groups
        # Shown, not kept: how well a per-CPU term a(i) + a(j) explains the pairs across domains.
        self.additive = additive


MACHINES = [
    Machine(
        "xeon-8358-2s", "Dual Intel Xeon Platinum 8358 CPU 2.60GHz by-leavelet.csv",
        domain_cut=None, socket_cut=80.0,
        note="Ice Lake-SP: one mesh and one L3 per socket, so a socket is one domain"),
    Machine(
        "epyc-9654-2s", "Dual AMD EPYC 9654 96-Core Processor by-leavelet.csv",
        domain_cut=60.0, socket_cut=170.0, domain_groups=24,
        note="Genoa: domains are the CCXs (8 cores sharing an L3)"),
    Machine(
        "altra-q80", "Dual Ampere Altra Processor Q80-30 CPU 3.0GHz by-zeroping.csv",
        domain_cut=110.0, socket_cut=None, additive=True,
        note="the file's 80 CPUs are one socket of the dual machine; domains are core pairs"),
    Machine(
        "graviton2", "AWS Graviton2 from-AWS-c6gd.metal by-nviennot.csv",
        domain_cut=None, socket_cut=None,
        note="one socket, one mesh, no faster group: one domain"),
]


def load_matrix(path):
    """The full symmetric matrix (diagonal None) from a lower-triangular CSV."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    size = len(rows)
    matrix = [[None] * size for _ in range(size)]
    for i, row in enumerate(rows):
        if len(row) != size:
            raise SystemExit(f"{path}: row {i} has {len(row)} fields, expected {size}")
        for j, text in enumerate(row):
            if j < i:
                value = float(text)
                matrix[i][j] = matrix[j][i] = value
            elif text.strip():
                raise SystemExit(f"{path}: row {i} has a value at column {j}, on or above the diagonal")
    return matrix


def pairs(size):
    return ((i, j) for i in range(size) for j in range(i))


def groups_below(matrix, cut):
    """Connected components of CPUs joined by a line move faster than `cut`, each sorted."""
    size = len(matrix)
    parent = list(range(size))

    def root(cpu):
        while parent[cpu] != cpu:
            parent[cpu] = parent[parent[cpu]]
            cpu = parent[cpu]
        return cpu

    for i, j in pairs(size):
        if matrix[i][j] < cut:
            parent[root(i)] = root(j)
    members = {}
    for cpu in range(size):
        members.setdefault(root(cpu), []).append(cpu)
    return sorted(members.values())


def block_size(matrix, cut, what):
    """The size of the consecutive, equal, fully-joined blocks `cut` finds; exits when they are not."""
    size = len(matrix)
    if cut is None:
        return size
    groups = groups_below(matrix, cut)
    width = len(groups[0])
    for group in groups:
        if group != list(range(group[0], group[0] + width)):
            raise SystemExit(f"{what}: the groups below {cut} ns are not runs of {width} consecutive CPUs "
                             f"(one is {group[:12]}...): the numbering is not {what}-major")
    inside = [matrix[i][j] for i, j in pairs(size) if i // width == j // width]
    if max(inside) >= cut:
        raise SystemExit(f"{what}: a pair inside a group is at {max(inside):.1f} ns, above the cut {cut}")
    return width


def gap_around(values, cut):
    """The empty stretch the cut sits in: the largest value below it and the smallest above."""
    below = max(v for v in values if v < cut)
    above = min(v for v in values if v >= cut)
    return below, above


def describe(values):
    if not values:
        return "-"
    return (f"median {statistics.median(values):6.1f}  (min {min(values):6.1f}, max {max(values):6.1f}, "
            f"{len(values)} pairs)")


def summarise(machine, directory):
    matrix = load_matrix(os.path.join(directory, machine.file))
    size = len(matrix)
    every = [matrix[i][j] for i, j in pairs(size)]
    socket_cpus = block_size(matrix, machine.socket_cut, "socket")
    # Without a domain cut the socket shares one cache (or no group of it is faster): one domain.
    domain_cpus = socket_cpus if machine.domain_cut is None else block_size(matrix, machine.domain_cut, "domain")
    if socket_cpus % domain_cpus:
        raise SystemExit(f"{machine.profile}: domains of {domain_cpus} CPUs do not tile sockets of {socket_cpus}")

    classes = {"within a domain": [], "across domains": [], "across sockets": []}
    for i, j in pairs(size):
        if i // socket_cpus != j // socket_cpus:
            classes["across sockets"].append(matrix[i][j])
        elif i // domain_cpus != j // domain_cpus:
            classes["across domains"].append(matrix[i][j])
        else:
            classes["within a domain"].append(matrix[i][j])

    print(f"== {machine.profile}: {machine.file}")
    print(f"   {machine.note}")
    print(f"   CPUs {size}: sockets {size // socket_cpus}, domains per socket {socket_cpus // domain_cpus}, "
          f"CPUs per domain {domain_cpus}")
    for name, cut in (("domain", machine.domain_cut), ("socket", machine.socket_cut)):
        if cut is not None:
            below, above = gap_around(every, cut)
            print(f"   {name} cut {cut:.0f} ns sits in an empty stretch: no pair between {below:.1f} and {above:.1f} ns")
    if machine.socket_cut is None:
        half = size // 2
        same = [matrix[i][j] for i, j in pairs(size) if (i < half) == (j < half)]
        across = [matrix[i][j] for i, j in pairs(size) if (i < half) != (j < half)]
        print(f"   no socket cut; halves of the numbering: same half median {statistics.median(same):.1f}, "
              f"across halves {statistics.median(across):.1f} (no socket split)")
    if machine.domain_cut is None and domain_cpus == socket_cpus:
        neighbours = [matrix[2 * k + 1][2 * k] for k in range(size // 2)]
        others = [matrix[i][j] for i, j in pairs(size) if i // 2 != j // 2 and i // socket_cpus == j // socket_cpus]
        print(f"   no domain cut; CPUs 2k and 2k+1: median {statistics.median(neighbours):.1f} (max {max(neighbours):.1f}), "
              f"other pairs of a socket: median {statistics.median(others):.1f} (min {min(others):.1f})")
    if machine.domain_groups:
        group = machine.domain_groups
        near = [matrix[i][j] for i, j in pairs(size)
                if i // socket_cpus == j // socket_cpus and i // domain_cpus != j // domain_cpus and i // group == j // group]
        far = [matrix[i][j] for i, j in pairs(size) if i // socket_cpus == j // socket_cpus and i // group != j // group]
        print(f"   across domains, not kept: within runs of {group} CPUs {describe(near)}")
        print(f"                             between runs of {group} CPUs {describe(far)}")
    if machine.additive:
        print(f"   across domains, a(i) + a(j) fits: residual {describe(additive_residuals(matrix, domain_cpus))}")
    for name, values in classes.items():
        print(f"   {name:16} {describe(values)}")
    print()


def additive_residuals(matrix, domain_cpus):
    """|latency - a(i) - a(j)| over the pairs across domains, a fitted by least squares (Gauss-Seidel)."""
    size = len(matrix)
    across = [[j for j in range(size) if i // domain_cpus != j // domain_cpus] for i in range(size)]
    term = [statistics.median(matrix[i][j] for j in across[i]) / 2 for i in range(size)]
    for _ in range(200):
        for i in range(size):
            term[i] = sum(matrix[i][j] - term[j] for j in across[i]) / len(across[i])
    return [abs(matrix[i][j] - term[i] - term[j]) for i, j in pairs(size) if i // domain_cpus != j // domain_cpus]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrices", default=os.path.join(here, "..", "machines", "core-to-core"),
                        help="folder holding the matrix CSV files (default machines/core-to-core)")
    arguments = parser.parse_args()
    for machine in MACHINES:
        summarise(machine, arguments.matrices)
    return 0


if __name__ == "__main__":
    sys.exit(main())
