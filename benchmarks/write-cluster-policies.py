#!/usr/bin/env python3
"""Writes N AdminNetworkPolicies of R ingress rules each, as one JSON List, for docs/benchmarks.md
("Cluster policies at scale"): policy p selects namespace ns-(p mod 100); rule r allows, denies or passes
(in turn) TCP port 8000+r from namespace ns-((7p + r) mod 100). The namespaces are those of
`OvnAcl.Benchmarks write-cluster PATH 100 ...`.

usage: write-cluster-policies.py OUT.json [POLICIES=100] [RULES=10]"""
import json
import sys

out = sys.argv[1]
policies = int(sys.argv[2]) if len(sys.argv) > 2 else 100
rules = int(sys.argv[3]) if len(sys.argv) > 3 else 10
ns = [f"ns-{i:03d}" for i in range(100)]
items = []
for p in range(policies):
    ingress = [{
        "name": f"r{r}",
        "action": ["Allow", "Deny", "Pass"][(p + r) % 3],
        "from": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": ns[(p * 7 + r) % len(ns)]}}}],
        "ports": [{"portNumber": {"protocol": "TCP", "port": 8000 + r}}],
    } for r in range(rules)]
    items.append({
        "apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": f"anp-{p}"},
        "spec": {"priority": p * 10 % 1001, "subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": ns[p % len(ns)]}}}, "ingress": ingress},
    })
with open(out, "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
