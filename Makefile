# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
VENV := .build-venv

.PHONY: run test build deps clean fuzz release install uninstall bench bench-ab bench-scale deb
FUZZ_SECONDS ?= 60

# Where `make install` puts things: PREFIX=/usr for a system install, DESTDIR for
# staging (packaging, tests). CONFIGURATION=debug skips the long release build
# (the install check in `make test` uses it); SWIFTFLAGS go to `swift build`
# (e.g. SWIFTFLAGS=--scratch-path=.build-release).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
CONFIGURATION ?= release
# Release binaries carry the Swift runtime and Foundation statically: authd starts in
# about half the time and maps less (README, Performance).
STATIC = $(if $(filter release,$(CONFIGURATION)),--static-swift-stdlib)
BINDIR = $(PREFIX)/bin
UNITDIR = $(PREFIX)/lib/systemd/system
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
TMPFILESDIR = $(PREFIX)/lib/tmpfiles.d
MANDIR = $(PREFIX)/share/man
DOCDIR = $(PREFIX)/share/doc/authd
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
PROGRAMS = authd authctl authd-gateway
UNITS = authd.socket authd.service authd-gateway.socket authd-gateway.service

build:
	scripts/install-deps
	$(SWIFT) build

# Starts authd in the foreground on the embedded SQLite default (Ctrl-C stops it).
run: build
	$(SWIFT) run authd $(ARGS)

# Every test: unit tests, and integration tests against the real binaries, real
# sockets, systemd-socket-activate and the Python peers, first on SQLite files, then
# the same integration suite and the gateway's live suites (a real authd behind the
# real gateway) again on throwaway PostgreSQL clusters the tests start.
# First, the deployment files: `make install` into a temporary tree, its layout,
# and the units under systemd-analyze verify and security (scripts/check-install).
test:
	scripts/install-deps --test
	$(SWIFT) build --build-tests
	scripts/check-install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SWIFT) test --skip-build
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" AUTHD_TEST_BACKEND=postgres \
		$(SWIFT) test --skip-build --filter 'AuthIntegrationTests|AuthGatewayTests.LiveTests' --skip PostgresTests

release:
	scripts/install-deps
	$(SWIFT) build -c $(CONFIGURATION) $(STATIC) $(SWIFTFLAGS)

# Binaries, units (pointing at $(BINDIR)), sysusers and tmpfiles entries, authctl's
# completions, man pages, and /etc/authd/authd.env unless one is there already.
install: release
	$(eval BIN := $(shell $(SWIFT) build -c $(CONFIGURATION) $(STATIC) $(SWIFTFLAGS) --show-bin-path))
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(addprefix $(BIN)/,$(PROGRAMS)) $(DESTDIR)$(BINDIR)/
	for unit in $(UNITS); do \
		sed 's|/usr/bin/|$(BINDIR)/|g; s|/etc/authd/|$(SYSCONFDIR)/authd/|g' systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 0644 systemd/sysusers.d/authd.conf $(DESTDIR)$(SYSUSERSDIR)/authd.conf
	sed 's|/etc/authd|$(SYSCONFDIR)/authd|g' systemd/tmpfiles.d/authd.conf > $(DESTDIR)$(TMPFILESDIR)/authd.conf
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/authd.conf
	$(BIN)/authctl --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/authctl
	$(BIN)/authctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_authctl
	$(BIN)/authctl --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/authctl.fish
	install -m 0644 man/authctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/authd.8 man/authd-gateway.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 systemd/authd.env.example $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(SYSCONFDIR)/authd
	[ -e $(DESTDIR)$(SYSCONFDIR)/authd/authd.env ] || install -m 0644 systemd/authd.env.example $(DESTDIR)$(SYSCONFDIR)/authd/authd.env
	@echo "installed under $(DESTDIR)$(PREFIX); to start (README, Deployment): systemd-sysusers; systemd-tmpfiles --create;"
	@echo "  create $(SYSCONFDIR)/authd/jwt-secret; systemctl daemon-reload; systemctl enable --now authd.socket authd-gateway.socket"

# Removes what install put there, except $(SYSCONFDIR)/authd (configuration and secrets stay).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS)) $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/authd.conf $(DESTDIR)$(TMPFILESDIR)/authd.conf
	rm -f $(DESTDIR)$(BASHCOMPDIR)/authctl $(DESTDIR)$(ZSHCOMPDIR)/_authctl $(DESTDIR)$(FISHCOMPDIR)/authctl.fish
	rm -f $(DESTDIR)$(MANDIR)/man1/authctl.1 $(DESTDIR)$(MANDIR)/man8/authd.8 $(DESTDIR)$(MANDIR)/man8/authd-gateway.8
	rm -rf $(DESTDIR)$(DOCDIR)

# authd_VERSION_amd64.deb (dpkg-deb) from the release build in .build-release, checked
# by lintian (scripts/build-deb; README, Deployment). Install it with
# `apt install ./authd_VERSION_amd64.deb`.
deb:
	scripts/install-deps --deb
	scripts/build-deb

# Throughput and latency of every scenario on SQLite and on a throwaway PostgreSQL,
# against the ceilings measured in the same run (scripts/bench; README, Performance).
bench:
	scripts/install-deps --bench
	$(SWIFT) build -c release --static-swift-stdlib
	scripts/bench

# A million users (issue #15): imported through authctl, then token checks, memory, paging,
# logins and registrations, on SQLite and a throwaway PostgreSQL, each against a baseline of
# the same run (scripts/bench-scale; README, Scale). BENCH_SCALE_USERS=20000
# BENCH_SCALE_TOKENS=20000 is the small version.
bench-scale:
	scripts/install-deps --test --bench
	$(SWIFT) build -c release --static-swift-stdlib
	$(VENV)/bin/python3 scripts/bench-scale

# The same scenarios against an older build (BASELINE, a git revision, default HEAD~1)
# and this one, interleaved in one run; prints the ratio new/old (scripts/bench-ab).
bench-ab:
	scripts/install-deps --bench
	scripts/bench-ab

# libFuzzer over the request path (framing, JSON-RPC, params, validation) with
# AddressSanitizer; fails on any crash or sanitizer report. New inputs go to
# .build-fuzz/corpus; fuzz/seeds is the committed seed corpus.
fuzz:
	scripts/install-deps
	AUTHD_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --product authd-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	mkdir -p .build-fuzz/corpus
	.build-fuzz/debug/authd-fuzz .build-fuzz/corpus fuzz/seeds \
		-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -print_final_stats=1

clean:
	rm -rf .build .build-fuzz .build-bench .build-baseline .build-release .build-deb $(VENV)
