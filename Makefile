# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
VENV := .build-venv

.PHONY: run test build deps clean

build:
	scripts/install-deps
	$(SWIFT) build

# Starts authd in the foreground on the embedded SQLite default (Ctrl-C stops it).
run: build
	$(SWIFT) run authd $(ARGS)

# Every test: unit tests, and integration tests against the real binaries, real
# sockets, systemd-socket-activate and the Python peers, first on SQLite files, then
# the same integration suite again on throwaway PostgreSQL clusters the tests start.
test:
	scripts/install-deps --test
	$(SWIFT) build --build-tests
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SWIFT) test --skip-build
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" AUTHD_TEST_BACKEND=postgres \
		$(SWIFT) test --skip-build --filter AuthIntegrationTests --skip PostgresTests

clean:
	rm -rf .build $(VENV)
