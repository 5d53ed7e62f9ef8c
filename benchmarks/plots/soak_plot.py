#!/usr/bin/python3
"""Plots the JSON of `ovnacl bench churn --soak ... --json` (or --plot): per database, over time, offered and confirmed
events/s, the backlog and the per-second p99 latency, and the process's memory (working set, GC heap, live heap after
full collections), with the faults marked. Needs Debian's python3-matplotlib.
  /usr/bin/python3 soak_plot.py REPORT.json OUT.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def per_second(t, counts):
    """Events/s between consecutive samples, averaged over 1 s windows."""
    out_t, out_v = [], []
    j = 0
    for i in range(1, len(t)):
        if t[i] - t[j] >= 1.0:
            out_t.append(t[i])
            out_v.append((counts[i] - counts[j]) / (t[i] - t[j]))
            j = i
    return out_t, out_v


def mark_faults(ax, faults, label):
    for f in faults:
        ax.axvline(f["at"], color="tab:red", alpha=0.35, lw=1)
        if label:
            name = f["fault"] + (" (leader)" if f["leader"] else "")
            ax.text(f["at"], 1.0, " " + name, transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="left",
                    fontsize=7, color="tab:red")


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        report = json.load(f)
    servers = report["servers"]
    fig, axes = plt.subplots(3, len(servers), figsize=(7.5 * len(servers), 10), squeeze=False, sharex="col")
    for col, server in enumerate(servers):
        ax_tp, ax_lat, ax_mem = (axes[r][col] for r in range(3))
        s = server["samples"]
        t, offered, confirmed = s["t"], s["offered"], s["confirmed"]
        ot, ov = per_second(t, offered)
        ct, cv = per_second(t, confirmed)
        ax_tp.plot(ot, ov, color="tab:gray", lw=1, label="offered")
        ax_tp.plot(ct, cv, color="tab:blue", lw=1, label="confirmed")
        ax_tp.set_ylabel("events/s")
        ax_tp.set_title(f"{server['name']}: {report['rate']:.0f} events/s offered, "
                        f"{server['offered']:,} events, missing {server['missing']}, extra {server['extra']}")
        ax_tp.legend(loc="lower right", fontsize=8)
        mark_faults(ax_tp, server["faults"], True)

        lat = server["latency_ms"]
        ax_lat.plot(lat["second"], lat["p99"], color="tab:blue", lw=1, label="p99 latency (ms), per second")
        ax_lat.plot(lat["second"], lat["p50"], color="tab:cyan", lw=1, label="p50 latency (ms)")
        backlog = [o - c for o, c in zip(offered, confirmed)]
        ax_lat.plot(t, [max(b, 0.5) for b in backlog], color="tab:orange", lw=0.8, alpha=0.8, label="backlog (events)")
        ax_lat.set_yscale("log")
        ax_lat.set_ylabel("ms / events")
        ax_lat.legend(loc="upper right", fontsize=8)
        mark_faults(ax_lat, server["faults"], False)

        m = server["memory"]
        ax_mem.plot(m["t"], m["working_set_mb"], color="tab:purple", lw=1, label="working set")
        ax_mem.plot(m["t"], m["heap_mb"], color="tab:green", lw=1, label="GC heap")
        if m["live_heap"]:
            ax_mem.plot([p[0] for p in m["live_heap"]], [p[1] for p in m["live_heap"]], "o-", color="black", ms=3, lw=1,
                        label="live heap after full GC")
        ax_mem.set_ylabel("MB")
        ax_mem.set_ylim(bottom=0)
        ax_mem.set_xlabel("seconds")
        ax_mem.legend(loc="center right", fontsize=8)
        mark_faults(ax_mem, server["faults"], False)
    fig.tight_layout()
    fig.savefig(argv[2], dpi=110)


if __name__ == "__main__":
    main(sys.argv)
