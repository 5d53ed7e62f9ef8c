#!/usr/bin/python3
"""Peer of `ovnacl bench churn`: the same pod events as OvnAcl's, committed by ovsdbapp (what Neutron uses).

Each event adds or removes one logical switch port in a port group and its IP in an address set, through
ovsdbapp's OVN Northbound API (pg_add_ports / pg_del_ports, address_set_add_addresses /
address_set_remove_addresses), as Neutron's ML2/OVN driver does. Events are committed B per transaction
(--batch), one transaction at a time, as an ovsdbapp caller does (commit() waits for the reply). With --rate R
the events are due at i/R seconds (open loop): each transaction carries the events due by the time it starts,
at most B; latency is measured from an event's due time to the commit of its transaction.

The events come as a JSON file: {"events": [[port_group, port, address_set, address, "add"|"del"], ...]}.
Prints one JSON object on stdout:
  {"seconds": wall time from the first event to the last commit, "events": events committed,
   "transactions": transactions committed, "cpu_seconds": this process's CPU time over the same span,
   "latency_ms": {"p50": ..., "p99": ..., "max": ...}}
Run with the system python that has python3-ovsdbapp:
  /usr/bin/python3 ovsdbapp_churn.py --events FILE [--batch B] [--rate R] REMOTE [DATABASE]
Exit code 3 means ovsdbapp or python-ovs is missing; 2 a usage error; 1 a failed transaction.
"""

import argparse
import json
import sys
import time

try:
    from ovsdbapp.backend.ovs_idl import connection
    from ovsdbapp.schema.ovn_northbound import impl_idl
except ImportError as ex:  # The caller reports the peer as skipped.
    print(f"ovsdbapp is not importable: {ex}", file=sys.stderr)
    sys.exit(3)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def main(argv):
    parser = argparse.ArgumentParser(description="Commit churn events with ovsdbapp.")
    parser.add_argument("remote")
    parser.add_argument("database", nargs="?", default="OVN_Northbound")
    parser.add_argument("--events", required=True, help="JSON file of the events")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0, help="events/s offered; 0 = as fast as possible")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv[1:])
    with open(args.events, encoding="utf-8") as f:
        events = json.load(f)["events"]

    # Neutron registers these tables (and more); the rows touched are looked up by name through the IDL's index.
    idl = connection.OvsdbIdl.from_server(args.remote, args.database,
                                          helper_tables=["Port_Group", "Address_Set", "Logical_Switch_Port"])
    conn = connection.Connection(idl, args.timeout)
    api = impl_idl.OvnNbApiIdlImpl(conn)

    latencies = []
    transactions = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    i = 0
    while i < len(events):
        if args.rate > 0:
            due = start + i / args.rate
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
                now = time.perf_counter()
            last = min(len(events), i + args.batch, int((now - start) * args.rate) + 1)
            last = max(last, i + 1)
        else:
            last = min(len(events), i + args.batch)
        began = time.perf_counter()
        with api.transaction(check_error=True) as txn:
            for pg, port, address_set, address, op in events[i:last]:
                if op == "add":
                    txn.add(api.pg_add_ports(pg, port))
                    txn.add(api.address_set_add_addresses(address_set, [address]))
                else:
                    txn.add(api.pg_del_ports(pg, port))
                    txn.add(api.address_set_remove_addresses(address_set, [address]))
        committed = time.perf_counter()
        transactions += 1
        for k in range(i, last):
            # As fast as possible, an event is due when its transaction starts.
            due = start + k / args.rate if args.rate > 0 else began
            latencies.append((committed - due) * 1000.0)
        i = last

    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    conn.stop()
    latencies.sort()
    print(json.dumps({
        "seconds": seconds,
        "events": len(events),
        "transactions": transactions,
        "cpu_seconds": cpu,
        "latency_ms": {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                       "max": latencies[-1] if latencies else 0.0},
    }))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as ex:  # noqa: BLE001 - reported to the caller as the peer's failure
        print(f"ovsdbapp churn failed: {ex}", file=sys.stderr)
        sys.exit(1)
