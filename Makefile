# OvnAcl: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need on a fresh Debian machine (apt packages, NuGet restore).

SHELL := /bin/bash
CONFIG ?= Release
DOTNET ?= dotnet
APT_PACKAGES := ovn-central ovn-common openvswitch-common python3-ovsdbapp python3-neutron openssl
TEST_RESULTS := $(CURDIR)/artifacts/test-results

.PHONY: all deps restore build test demo clean

all: build

# OVN's own servers and tools come from Debian's packages; ovsdbapp is the peer we measure against, and
# python3-neutron's ML2/OVN code is the oracle the Neutron translation is compared with.
deps:
	@if ! command -v ovsdb-server >/dev/null || ! command -v ovn-northd >/dev/null \
	    || ! command -v ovs-pki >/dev/null || ! /usr/bin/python3 -c 'import ovsdbapp, neutron.common.ovn.acl' 2>/dev/null; then \
	  echo "installing: $(APT_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@ovsdb-server --version | head -n 1

restore:
	$(DOTNET) restore OvnAcl.sln

build: restore
	$(DOTNET) build OvnAcl.sln -c $(CONFIG) --no-restore -nologo -clp:NoSummary

test: deps build
	rm -rf $(TEST_RESULTS)
	$(DOTNET) test OvnAcl.sln -c $(CONFIG) --no-build -nologo \
	  --logger "trx" --logger "console;verbosity=minimal" --results-directory $(TEST_RESULTS) ; \
	  status=$$?; bash scripts/test-summary.sh $(TEST_RESULTS); exit $$status

demo: deps build
	bash scripts/demo.sh $(CONFIG)

clean:
	$(DOTNET) clean OvnAcl.sln -c $(CONFIG) -nologo >/dev/null
	rm -rf artifacts
