#!/usr/bin/env bash
# The packages, proven from outside (run by `make test` after `make pack`): restored only from artifacts/packages and
# the NuGet mirror (tests/consumer/nuget.config) into a fresh NUGET_PACKAGES, so that no stale OvnAcl package in a
# cache is ever used, and never by project reference.
#  1. tests/consumer compiles samples/kubernetes/three-tier with the embedding API and applies it to a real NB
#     (ovsdb-server on a unix socket in a temp dir, stopped by pid); the rows in the NB are counted.
#  2. samples/informer builds against the packages (OvnAcl.Hosting among them), and its host refuses a bad NB remote
#     at start, naming the configuration key.
#  3. `dotnet tool install --tool-path` installs ovnacl from artifacts/packages (the config's source; `--add-source`
#     cannot be combined with its source mapping); the installed tool's `compile` output is checked.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-Release}
packages=$root/artifacts/packages
sample=$root/samples/kubernetes/three-tier
configfile=$root/tests/consumer/nuget.config  # samples/informer/nuget.config is the same
version=$(sed -n 's:.*<OvnAclPackageVersion>\(.*\)</OvnAclPackageVersion>.*:\1:p' "$root/Directory.Build.props")
for p in OvnAcl.OvsdbClient OvnAcl.Core OvnAcl.Hosting ovnacl; do
  [ -f "$packages/$p.$version.nupkg" ] || { echo "consumer-test: $packages/$p.$version.nupkg is missing (make pack)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/ovnacl-consumer.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export NUGET_PACKAGES=$dir/nuget-packages DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
fail() { echo "consumer-test: FAIL: $*" >&2; exit 1; }

ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-server "$dir/nb.db" --remote="punix:$dir/nb.sock" --pidfile="$dir/nb.pid" --unixctl="$dir/nb.ctl" \
  --log-file="$dir/nb.log" --detach --no-chdir 2>/dev/null
pid=$(cat "$dir/nb.pid")
nb=unix:$dir/nb.sock
nbctl() { ovn-nbctl --db="$nb" --timeout=20 "$@"; }

echo "consumer-test: installing the ovnacl tool $version from $packages"
dotnet tool install --tool-path "$dir/tool" --configfile "$configfile" --version "$version" ovnacl >/dev/null
# `ovnacl bench` finds its peer and plot scripts next to OvnAcl.Bench.dll: the tool package must carry them.
for script in peers/ovsdbapp_churn.py peers/ovsdbapp_sync.py plots/churn_plot.py plots/soak_plot.py; do
  find "$dir/tool/.store" -path "*/tools/net10.0/any/$script" | grep -q . || fail "the installed tool lacks $script"
done
"$dir/tool/ovnacl" compile "$sample" > "$dir/compiled.json"
"$dir/tool/ovnacl" compile --format table "$sample" > "$dir/compiled.txt"
read -r want_groups want_sets want_acls want_ports < <(python3 - "$dir/compiled.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
groups = rows["port_groups"]
print(len(groups), len(rows["address_sets"]), sum(len(g["acls"]) for g in groups),
      ",".join(sorted({p for g in groups for p in g["ports"]})))
PY
)
[ "$want_groups" -gt 0 ] && [ "$want_acls" -gt 0 ] || fail "the installed tool compiled no port groups or ACLs from $sample"
grep -q 'allow-related' "$dir/compiled.txt" || fail "the installed tool's table output has no allow-related ACL"
echo "consumer-test: installed ovnacl compile: $want_groups port groups, $want_sets address sets, $want_acls ACLs"

echo "consumer-test: building tests/consumer and samples/informer from the packages"
for project in tests/consumer/OvnAcl.Consumer.csproj samples/informer/OvnAcl.Samples.Informer.csproj; do
  dotnet build "$root/$project" -c "$config" --configfile "$configfile" -nologo -clp:NoSummary \
    -p:BaseIntermediateOutputPath="$dir/obj/$(basename "$project" .csproj)/" \
    -p:OutputPath="$dir/bin/$(basename "$project" .csproj)/" >"$dir/build.log" 2>&1 \
    || { cat "$dir/build.log"; fail "$project did not build from the packages"; }
  grep -q "OvnAcl.Core/$version" "$dir/obj/$(basename "$project" .csproj)/project.assets.json" \
    || fail "$project did not restore OvnAcl.Core $version as a package"
done
grep -q "OvnAcl.Hosting/$version" "$dir/obj/OvnAcl.Samples.Informer/project.assets.json" \
  || fail "samples/informer did not restore OvnAcl.Hosting $version as a package"
# OvnAcl.Hosting's buildTransitive targets give the host the start-up setting (the sample does not set it itself).
grep -q '"System.Runtime.TieredCompilation.CallCountingDelayMs": 0' "$dir/bin/OvnAcl.Samples.Informer/ovnacl-informer.runtimeconfig.json" \
  || fail "samples/informer's runtimeconfig lacks OvnAcl.Hosting's CallCountingDelayMs = 0"
echo "consumer-test: samples/informer got CallCountingDelayMs = 0 from OvnAcl.Hosting's buildTransitive targets"
# No cluster here: the host's start-up validation is what can run, and it must fail before any Kubernetes call.
if informer_out=$(dotnet "$dir/bin/OvnAcl.Samples.Informer/ovnacl-informer.dll" --nb http://127.0.0.1:6641 2>&1); then
  fail "samples/informer started with the remote http://127.0.0.1:6641"
fi
grep -q "OvnAcl:Northbound: 'http://127.0.0.1:6641'" <<<"$informer_out" \
  || { echo "$informer_out" >&2; fail "samples/informer did not name OvnAcl:Northbound for a bad remote"; }
echo "consumer-test: samples/informer refused a bad remote at start, naming OvnAcl:Northbound"

# The ports the policies select, so that the port groups have members to hold.
nbctl ls-add three-tier
for port in ${want_ports//,/ }; do nbctl lsp-add three-tier "$port"; done
got=$(dotnet "$dir/bin/OvnAcl.Consumer/OvnAcl.Consumer.dll" "$nb" "$sample") || fail "the consumer did not apply $sample"
echo "consumer-test: consumer applied: $got"
[ "$got" = "port_groups=$want_groups address_sets=$want_sets acls=$want_acls" ] \
  || fail "the consumer compiled '$got', the installed tool port_groups=$want_groups address_sets=$want_sets acls=$want_acls"
count() { nbctl --bare --columns=_uuid list "$1" | grep -c . || true; }
have_groups=$(count Port_Group) have_sets=$(count Address_Set) have_acls=$(count ACL)
members=$(nbctl --bare --columns=ports list Port_Group | tr ' ' '\n' | grep -c . || true)
echo "consumer-test: NB holds $have_groups Port_Group, $have_sets Address_Set, $have_acls ACL rows, $members port-group memberships"
[ "$have_groups" -eq "$want_groups" ] && [ "$have_sets" -eq "$want_sets" ] && [ "$have_acls" -eq "$want_acls" ] && [ "$members" -gt 0 ] \
  || fail "the NB does not hold the rows the consumer applied"
echo "consumer-test: OK"
