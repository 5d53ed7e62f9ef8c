# OvnAcl: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need on a fresh Debian machine (apt packages, NuGet restore).

SHELL := /bin/bash
CONFIG ?= Release
DOTNET ?= dotnet
APT_PACKAGES := ovn-central ovn-common openvswitch-common openvswitch-switch ovn-host python3-ovsdbapp python3-neutron openssl
# Only the benchmarks' plots need these; `make test` does not.
BENCH_APT_PACKAGES := python3-matplotlib
TEST_RESULTS := $(CURDIR)/artifacts/test-results
# A test that runs longer than this is killed and named (the run fails instead of hanging until CI gives up).
TEST_HANG_TIMEOUT ?= 5m
OVNACL := $(DOTNET) src/OvnAcl.Cli/bin/$(CONFIG)/net10.0/ovnacl.dll

.PHONY: all deps bench-deps restore build pack test demo bench-churn bench-soak bench-enforce clean

all: build

# OVN's own servers and tools come from Debian's packages; ovsdbapp is the peer we measure against, and
# python3-neutron's ML2/OVN code is the oracle the Neutron translation is compared with. openvswitch-switch
# (ovs-vswitchd) and ovn-host (ovn-controller) run the simulated hypervisors of the datapath tests; no kernel module.
deps:
	@if ! command -v ovsdb-server >/dev/null || ! command -v ovn-northd >/dev/null \
	    || ! command -v ovs-pki >/dev/null || ! command -v ovs-vswitchd >/dev/null || ! command -v ovn-controller >/dev/null \
	    || ! /usr/bin/python3 -c 'import ovsdbapp, neutron.common.ovn.acl' 2>/dev/null; then \
	  echo "installing: $(APT_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@ovsdb-server --version | head -n 1

bench-deps: deps
	@if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then \
	  echo "installing: $(BENCH_APT_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BENCH_APT_PACKAGES) >/dev/null; \
	fi

restore:
	$(DOTNET) restore OvnAcl.sln

build: restore
	$(DOTNET) build OvnAcl.sln -c $(CONFIG) --no-restore -nologo -clp:NoSummary

# OvnAcl.OvsdbClient, OvnAcl.Core, OvnAcl.Hosting (.nupkg + .snupkg) and the ovnacl tool, into artifacts/packages.
pack: build
	rm -rf artifacts/packages
	$(DOTNET) pack OvnAcl.sln -c $(CONFIG) --no-build -nologo -clp:NoSummary
	@ls -1 artifacts/packages

# After the tests, the packages are proven from outside: a consumer restored only from artifacts/packages applies a
# sample to a real NB, samples/informer builds against them (OvnAcl.Hosting too) and validates its configuration at
# start, and the installed tool compiles (scripts/consumer-test.sh).
test: deps pack
	rm -rf $(TEST_RESULTS)
	$(DOTNET) test OvnAcl.sln -c $(CONFIG) --no-build -nologo \
	  --blame-hang-timeout $(TEST_HANG_TIMEOUT) --blame-hang-dump-type none \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(TEST_RESULTS) ; \
	  status=$$?; \
	  [ $$status -eq 0 ] || echo "dotnet test exited with $$status: a failed test, or a test host that crashed or hung (see 'Test Run Aborted' above)"; \
	  bash scripts/consumer-test.sh $(CONFIG) || { echo "the package consumer test failed"; status=1; }; \
	  bash scripts/test-summary.sh $(TEST_RESULTS); \
	  exit $$status

demo: deps build
	bash scripts/demo.sh $(CONFIG)

# The figures of docs/reliability.md, section "Soak": 10 minutes on each database, faults every minute (~22 min).
bench-soak: bench-deps build
	$(OVNACL) bench churn --start standalone,raft --soak 10m --plot docs/plots/soak.png

# The figures of docs/benchmarks.md, section "Churn": saturation at 1, 100 and 1,000 events per transaction (the last
# also at 8,000 pods, where the driver's window of one pass over the pods no longer binds), the offered-load sweep
# (with its plot), cluster size; each run's JSON in docs/results/. About 25 minutes on 2 cores.
CHURN_PIPELINE ?= 16
CHURN := $(OVNACL) bench churn --pipeline $(CHURN_PIPELINE)
bench-churn: bench-deps build
	mkdir -p docs/results
	$(CHURN) --start standalone,raft --batch 1 --events 5000 --peers ovsdbapp,raw --report docs/results/churn-batch1.json
	$(CHURN) --start standalone,raft --batch 100,1000 --peers ovsdbapp,raw --report docs/results/churn-batch100-1000.json
	$(CHURN) --start standalone,raft --batch 1000 --pods 8000 --peers ovsdbapp,raw --report docs/results/churn-batch1000-8000pods.json
	$(CHURN) --start standalone,raft --rate 1000,5000,20000,50000,100000 --batch 100 --events 5000 \
	  --peers ovsdbapp,raw --plot docs/plots/churn-sweep.png --report docs/results/churn-sweep.json
	$(CHURN) --start standalone --pods 1000 --batch 100 --peers none --report docs/results/churn-1000pods.json
	$(CHURN) --start standalone --pods 100000 --batch 100 --peers none --report docs/results/churn-100000pods.json

# The figures of docs/benchmarks.md, section "Enforce": OpenFlow flows, time until every chassis installed a pod event,
# northd and ovn-controller CPU, for OvnAcl's rows and the ovn-kubernetes formulation, on 5 and 20 simulated
# hypervisors (needs openvswitch-switch and ovn-host, which `deps` installs; the plot python3-matplotlib). About 2
# minutes on 2 cores.
ENFORCE := $(OVNACL) bench enforce --shapes pod-churn,ipblock-except,named-port,namespace-selector,policy-churn --formulations ovnacl,ovn-kubernetes --events 24
bench-enforce: bench-deps build
	mkdir -p docs/results
	$(ENFORCE) --chassis 5 --pods 100 --report docs/results/enforce-5.json
	$(ENFORCE) --chassis 20 --pods 400 --report docs/results/enforce-20.json --plot docs/plots/enforce-20.png
	$(OVNACL) bench enforce --shapes pod-churn,cluster-policy --formulations ovnacl,ovn-kubernetes --events 24 --chassis 5 --pods 100 \
	  --report docs/results/enforce-cluster-policy.json

clean:
	$(DOTNET) clean OvnAcl.sln -c $(CONFIG) -nologo >/dev/null
	rm -rf artifacts
