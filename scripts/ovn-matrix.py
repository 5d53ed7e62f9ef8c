#!/usr/bin/env python3
"""The reachability matrix of `ovnacl explain --matrix --json`, checked against OVN itself (make demo).

  ovn-matrix.py topology --nb DB MATRIX.json   create the matrix's switches and ports in the NB with ovn-nbctl
                                               (the addresses and port security the offline topology used)
  ovn-matrix.py trace --sb DB MATRIX.json      trace every ordered pair with ovn-trace and print ovnacl's matrix
                                               next to OVN's; exit 1 when they disagree

A pair is allowed by OVN iff `ovn-trace --no-friendly-names --ct=new --ct=new --minimal` prints output("<destination>"), as the
project's differential tests read it (one --ct per conntrack pass: a new connection).
"""
import argparse
import json
import subprocess
import sys

ALLOW, DENY, SKIP, SELF = "✓", "✗", "·", "-"


def topology(args, matrix):
    cmd = ["ovn-nbctl", "--db=" + args.nb]
    for sw in matrix["switches"]:
        cmd += ["--", "--may-exist", "ls-add", sw["name"]]
        for e in sw["endpoints"]:
            cmd += ["--", "lsp-add", sw["name"], e["port"], "--", "lsp-set-addresses", e["port"], *e["addresses"]]
            if e["port_security"]:
                cmd += ["--", "lsp-set-port-security", e["port"], *e["port_security"]]
    subprocess.run(cmd, check=True)
    ports = sum(len(sw["endpoints"]) for sw in matrix["switches"])
    print(f"created {len(matrix['switches'])} logical switch(es) and {ports} port(s)")


def microflow(matrix, src, dst):
    family = "ip6" if matrix["ipv6"] else "ip4"
    ip = lambda e: next(a for a in e["ips"] if (":" in a) == matrix["ipv6"])
    flow = (f'inport == "{src["port"]}" && eth.src == {src["mac"]} && eth.dst == {dst["mac"]}'
            f" && {family}.src == {ip(src)} && {family}.dst == {ip(dst)} && ip.ttl == 64")
    proto = matrix["protocol"]
    if proto == "icmp":
        return flow + (" && icmp6.type == 128 && icmp6.code == 0" if matrix["ipv6"] else " && icmp4.type == 8 && icmp4.code == 0")
    return flow + f" && {proto}.src == 40000 && {proto}.dst == {matrix['port']}"


def ovn_allows(args, switch, src, dst, matrix):
    # --no-friendly-names: ovn-trace otherwise shortens names that look like UUIDs (Neutron port ids) to 6 digits.
    out = subprocess.run(["ovn-trace", "--db=" + args.sb, "--no-friendly-names", "--ct=new", "--ct=new", "--minimal", switch, microflow(matrix, src, dst)],
                         check=True, capture_output=True, text=True).stdout
    return f'output("{dst["port"]}");' in out


def grid(labels, cell):
    width = max(len(l) for l in labels) + 2
    lines = [" " * (width + 2) + "".join(l.ljust(len(l) + 2) for l in labels)]
    for i, row in enumerate(labels):
        text = "  " + row.ljust(width)
        for j, col in enumerate(labels):
            left = (len(col) - 1) // 2
            text += " " * left + cell(i, j) + " " * (len(col) + 2 - left - 1)
        lines.append(text)
    return lines


def trace(args, matrix):
    question = f"{matrix['protocol']}/{matrix['port']}" if matrix["port"] is not None else matrix["protocol"]
    if matrix["ipv6"]:
        question += " over IPv6"
    pairs = disagreements = skipped = 0
    for sw in matrix["switches"]:
        eps = sw["endpoints"]
        labels = [e["label"] for e in eps]
        ours, theirs = {}, {}
        for i, src in enumerate(eps):
            for j, dst in enumerate(eps):
                if i == j:
                    ours[i, j] = theirs[i, j] = SELF
                    continue
                verdict = sw["matrix"][src["label"]][dst["label"]]
                if verdict is None:
                    ours[i, j] = theirs[i, j] = SKIP
                    skipped += 1
                    continue
                ours[i, j] = ALLOW if verdict == "allow" else DENY
                theirs[i, j] = ALLOW if ovn_allows(args, sw["name"], src, dst, matrix) else DENY
                pairs += 1
                if ours[i, j] != theirs[i, j]:
                    disagreements += 1
                    print(f"DISAGREE {src['label']} -> {dst['label']}: ovnacl {ours[i, j]}, ovn-trace {theirs[i, j]}", file=sys.stderr)
        left = grid(labels, lambda i, j: ours[i, j])
        right = grid(labels, lambda i, j: theirs[i, j])
        width = max(len(l) for l in left) + 4
        print(f"switch {sw['name']}, {question}")
        print("ovnacl explain --matrix".ljust(width) + "ovn-trace --ct=new --ct=new")
        for a, b in zip(left, right):
            print(a.ljust(width) + b)
        print()
    if skipped:
        print(f"{SKIP} = not asked: one end has no {'IPv6' if matrix['ipv6'] else 'IPv4'} address")
    if disagreements:
        print(f"{question}: ovnacl and ovn-trace DISAGREE on {disagreements} of {pairs} pairs\n")
        return 1
    print(f"{question}: ovnacl and ovn-trace agree on all {pairs} pairs\n")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["topology", "trace"])
    parser.add_argument("matrix", help="the output of ovnacl explain --matrix --json")
    parser.add_argument("--nb", help="NB remote (topology)")
    parser.add_argument("--sb", help="SB remote (trace)")
    args = parser.parse_args()
    with open(args.matrix, encoding="utf-8") as f:
        matrix = json.load(f)
    if args.action == "topology":
        topology(args, matrix)
        return 0
    return trace(args, matrix)


if __name__ == "__main__":
    sys.exit(main())
