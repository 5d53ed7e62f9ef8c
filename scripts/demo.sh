#!/usr/bin/env bash
# make demo: a throwaway OVN Northbound ovsdb-server in a temp dir, rows written and read back through
# OvnAcl's own OVSDB client, the same rows as OVN's ovn-nbctl sees them, then the server is stopped.
set -euo pipefail
config=${1:-Release}
root=$(cd "$(dirname "$0")/.." && pwd)
ovnacl() { dotnet "$root/src/OvnAcl.Cli/bin/$config/net10.0/ovnacl.dll" "$@"; }

dir=$(mktemp -d /tmp/ovnacl-demo-XXXXXX)
cleanup() {
  if [ -f "$dir/ovsdb-server.pid" ]; then kill "$(cat "$dir/ovsdb-server.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-server "$dir/nb.db" --remote="punix:$dir/nb.sock" --unixctl="$dir/ctl" \
  --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" --detach --no-chdir
db="unix:$dir/nb.sock"
echo "== Started a throwaway OVN Northbound ovsdb-server (pid $(cat "$dir/ovsdb-server.pid")) on $db"
echo
echo "== 1. Write: a switch with 6 ports, 2 port groups with ACLs, 2 address sets, through OvnAcl's client"
ovnacl db seed --db "$db" --ports 6 --port-groups 2 --ports-per-group 3 --acls-per-group 2 --address-sets 2 --addresses-per-set 3
echo
echo "== 2. Read back: OvnAcl's replica of the Port_Group, ACL and Address_Set tables"
ovnacl db show --db "$db" --table Port_Group --table ACL --table Address_Set
echo
echo "== 3. The same rows as OVN's own ovn-nbctl sees them"
for pg in synthetic_pg_0 synthetic_pg_1; do
  echo "-- ovn-nbctl acl-list $pg"
  ovn-nbctl --db="$db" acl-list "$pg"
done
echo "-- ovn-nbctl list Address_Set (name, addresses)"
ovn-nbctl --db="$db" --columns=name,addresses list Address_Set
echo
echo "== Stopping the server"
