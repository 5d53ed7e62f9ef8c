#!/usr/bin/python3
"""Plots the JSON of `ovnacl bench churn --json` (or --plot): per database, confirmed throughput and latency
percentiles against offered load, one line per client and batch size. Needs Debian's python3-matplotlib.
  /usr/bin/python3 churn_plot.py REPORT.json OUT.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"ovnacl": "tab:blue", "raw": "tab:gray", "ovsdbapp": "tab:orange"}


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        report = json.load(f)
    servers = report["servers"]
    fig, axes = plt.subplots(len(servers), 2, figsize=(13, 4.6 * len(servers)), squeeze=False)
    for row, server in enumerate(servers):
        ax_tp, ax_lat = axes[row]
        series = {}
        for s in server["samples"]:
            if s["offered_rate"] is None:
                continue
            series.setdefault((s["peer"], s["batch"]), []).append(s)
        rates = sorted({s["offered_rate"] for v in series.values() for s in v})
        if rates:
            ax_tp.plot(rates, rates, color="lightgray", linestyle=":", label="offered")
        for (peer, batch), samples in sorted(series.items()):
            samples.sort(key=lambda s: s["offered_rate"])
            x = [s["offered_rate"] for s in samples]
            color = COLORS.get(peer, None)
            label = f"{peer} (≤{batch}/txn)"
            ax_tp.plot(x, [s["events_per_second"] for s in samples], marker="o", color=color, label=label)
            ax_lat.plot(x, [s["latency_ms"]["p50"] for s in samples], marker="o", color=color, label=f"{label} p50")
            ax_lat.plot(x, [s["latency_ms"]["p99"] for s in samples], marker="^", linestyle="--", color=color, label=f"{label} p99")
        rtt = server["round_trip_ms"]
        ax_lat.axhline(rtt, color="black", linewidth=0.8, linestyle=":", label=f"one round trip ({rtt:.2f} ms)")
        ax_lat.axhline(2 * rtt, color="red", linewidth=0.8, linestyle=":", label="goal: p99 ≤ 2 round trips")
        title = f"{server['server']}: {report['pods']} pods, {report['events']} events/run, median of {report['runs']}"
        ax_tp.set_title(f"{title}\nconfirmed throughput vs offered load")
        ax_tp.set_xscale("log")
        ax_tp.set_yscale("log")
        ax_tp.set_xlabel("offered load (events/s)")
        ax_tp.set_ylabel("confirmed events/s")
        ax_tp.grid(True, which="both", alpha=0.3)
        ax_tp.legend(fontsize=8)
        ax_lat.set_title(f"{title}\nevent-to-commit latency vs offered load")
        ax_lat.set_xscale("log")
        ax_lat.set_yscale("log")
        ax_lat.set_xlabel("offered load (events/s)")
        ax_lat.set_ylabel("latency (ms)")
        ax_lat.grid(True, which="both", alpha=0.3)
        ax_lat.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(argv[2], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
