#!/usr/bin/python3
"""Peer of `ovnacl bench sync`: how long ovsdbapp (what Neutron uses) takes to hold a synchronized replica.

Builds ovsdbapp's IDL (ovsdbapp.backend.ovs_idl.connection.OvsdbIdl, a python-ovs ovs.db.idl.Idl) the way
Neutron does: fetch the schema from the server, register the tables, start an ovsdbapp Connection, which
returns once the IDL has applied the monitor's initial contents. Prints one JSON object on stdout:
  {"seconds": wall time from before the schema fetch to the replica being ready,
   "rows": rows in the replica, "tables": tables registered,
   "maxrss_bytes": peak resident set of this process (interpreter and modules included),
   "json_parser": "C" or "python" (python-ovs uses its C extension when it is installed)}
Run with the system python that has python3-ovsdbapp:
  /usr/bin/python3 ovsdbapp_sync.py [--tables T1,T2] [--private-key K --certificate C --ca-cert A] REMOTE [DATABASE]
Exit code 3 means ovsdbapp or python-ovs is missing; 2 a usage error; 1 a failure to synchronize.
"""

import argparse
import json
import resource
import sys
import time

try:
    import ovs.json
    import ovs.stream
    from ovsdbapp.backend.ovs_idl import connection
except ImportError as ex:  # The caller reports the peer as skipped.
    print(f"ovsdbapp is not importable: {ex}", file=sys.stderr)
    sys.exit(3)


def main(argv):
    parser = argparse.ArgumentParser(description="Time ovsdbapp's IDL to a synchronized replica.")
    parser.add_argument("remote")
    parser.add_argument("database", nargs="?", default="OVN_Northbound")
    parser.add_argument("--tables", help="comma-separated tables to register (default: all)")
    parser.add_argument("--private-key")
    parser.add_argument("--certificate")
    parser.add_argument("--ca-cert")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv[1:])
    remote = args.remote
    database = args.database
    tables = [t for t in args.tables.split(",") if t] if args.tables else None
    timeout = args.timeout
    if args.private_key:
        ovs.stream.Stream.ssl_set_private_key_file(args.private_key)
        ovs.stream.Stream.ssl_set_certificate_file(args.certificate)
        ovs.stream.Stream.ssl_set_ca_cert_file(args.ca_cert)

    start = time.perf_counter()
    try:
        # from_server fetches the schema (get_schema) and registers the tables, or all of them.
        idl = connection.OvsdbIdl.from_server(remote, database, helper_tables=tables)
        conn = connection.Connection(idl, timeout)
        # start() waits for the first change, which is the monitor reply applied (ovs/db/idl.py), then
        # starts ovsdbapp's own thread; has_ever_connected() confirms the initial contents are in.
        conn.start()
    except Exception as ex:  # ovsdbapp raises bare Exception for an unreachable server or a timeout.
        print(f"ovsdbapp could not synchronize with {remote}: {ex}", file=sys.stderr)
        return 1
    if not idl.has_ever_connected():
        print("the IDL did not synchronize", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start

    rows = sum(len(table.rows) for table in idl.tables.values())
    maxrss_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "seconds": seconds,
        "rows": rows,
        "tables": len(idl.tables),
        "maxrss_bytes": maxrss_bytes,
        "json_parser": "C" if ovs.json.PARSER == ovs.json.PARSER_C else "python",
    }))
    sys.stdout.flush()
    conn.stop(timeout=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
