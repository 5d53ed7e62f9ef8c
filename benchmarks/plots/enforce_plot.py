#!/usr/bin/python3
"""Plots the JSON of `ovnacl bench enforce --json` (or --plot): per shape, the OpenFlow flows each formulation added
on the busiest chassis, and the time from a change's commit until every chassis had installed it (p50 bar, p99 and
max marks). Needs Debian's python3-matplotlib.
  /usr/bin/python3 enforce_plot.py REPORT.json OUT.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"ovnacl": "tab:blue", "ovn-kubernetes": "tab:orange"}


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        report = json.load(f)
    samples = report["samples"]
    shapes = list(dict.fromkeys(s["shape"] for s in samples))
    formulations = list(dict.fromkeys(s["formulation"] for s in samples))
    width = 0.8 / max(1, len(formulations))
    fig, (ax_flows, ax_time) = plt.subplots(1, 2, figsize=(12, 4.6))
    for i, formulation in enumerate(formulations):
        by_shape = {s["shape"]: s for s in samples if s["formulation"] == formulation}
        xs = [x + (i - (len(formulations) - 1) / 2) * width for x in range(len(shapes))]
        present = [(x, by_shape[shape]) for x, shape in zip(xs, shapes) if shape in by_shape]
        color = COLORS.get(formulation, None)
        ax_flows.bar([x for x, _ in present], [s["openflow_flows_max_chassis"] for _, s in present], width, label=formulation, color=color)
        ax_time.bar([x for x, _ in present], [s["enforce_ms"]["p50"] for _, s in present], width, label=f"{formulation} p50", color=color)
        ax_time.scatter([x for x, _ in present], [s["enforce_ms"]["p99"] for _, s in present], marker="_", s=200, color="black")
        ax_time.scatter([x for x, _ in present], [s["enforce_ms"]["max"] for _, s in present], marker="x", color="black")
    for ax in (ax_flows, ax_time):
        ax.set_xticks(range(len(shapes)))
        ax.set_xticklabels(shapes, rotation=20, ha="right")
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
    ax_flows.set_ylabel("OpenFlow flows added, busiest chassis")
    ax_time.set_ylabel("commit -> every chassis installed, ms (- p99, x max)")
    fig.suptitle(f"ovnacl bench enforce: {report['chassis']} chassis, {report['pods']} pods, {report.get('rounds', 1)} rounds of {report['events']} events, formulations alternating")
    fig.tight_layout()
    fig.savefig(argv[2], dpi=110)


if __name__ == "__main__":
    main(sys.argv)
