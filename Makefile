# The two commands: `make run` and `make test`. Both install what is missing first.
BUILD      ?= build
TEST_BUILD ?= build-test
DB         ?= sqlite:var/tinhso.db
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= $(shell nproc)

.PHONY: all deps build web run test test-cluster deb fuzz valgrind clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The web UI (web/): npm ci when the lock file changed, then vite build into web/dist,
# which `tinhso serve` serves (web.root).
web: deps
	web/scripts/build.sh

run: build web
	@mkdir -p var
	$(BUILD)/tinhso migrate --database $(DB)
	$(BUILD)/tinhso demo --database $(DB)
	$(BUILD)/tinhso serve --database $(DB) --listen $(LISTEN) --web-root web/dist

# The release build is compiled too (optimised builds warn about other things), then the
# sanitizer build runs every test.
test: build web
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTS_SANITIZE=ON -DTS_FAULT_INJECTION=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh

# libFuzzer harnesses (tests/fuzz) built with clang in build-fuzz/; `make test` runs each for
# FUZZ_SECONDS (8 s, 5 s when CI=true: the whole step stays near 3 minutes with the build);
# `make fuzz FUZZ_SECONDS=600` runs them longer.
ifeq ($(CI),true)
FUZZ_SECONDS ?= 5
else
FUZZ_SECONDS ?= 8
endif
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh

# The API suites against a build without sanitizers run under valgrind memcheck: any error or
# definite leak fails the run (scripts/valgrind-api.sh).
valgrind: deps
	cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=Debug -DTS_FAULT_INJECTION=ON >/dev/null
	cmake --build build-valgrind -j $(JOBS) --target tinhso
	scripts/valgrind-api.sh build-valgrind

# The scale-out tests alone (also part of `make test`): migrate-store, and a PostgreSQL primary
# with a synchronous streaming replica, three nodes and nginx under load through a node kill
# and a failover (tests/cluster/; skipped without the PostgreSQL server binaries or nginx).
test-cluster: build
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTS_SANITIZE=ON -DTS_FAULT_INJECTION=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -R '^(pg_cluster_|cluster_)'

# The Debian package (packaging/debian, dpkg-buildpackage) of the working tree, with the built
# web UI; lands in build-deb/. DEB_VERSION=X overrides the version (upgrade tests).
DEB_VERSION ?=
deb: deps web
	packaging/build-deb.sh build-deb $(DEB_VERSION)

clean:
	rm -rf build-deb $(BUILD) $(TEST_BUILD) build-fuzz build-valgrind web/dist
