# swift-shop: developer entry points. The work is done by scripts/*.sh;
# `make help` lists the targets.

# Every swift command (build, test, run) hashes deterministically.
export SWIFT_DETERMINISTIC_HASHING := 1

# Generated code (Sources/InternalAPI) is protoc's, not ours to format.
SWIFT_FORMAT_PATHS := Sources/Contracts Sources/ServiceKit Services Tests Package.swift

.DEFAULT_GOAL := help
.PHONY: help run test smoke fuzz chaos bench build generate stop reset logs fmt lint compose-check k8s-check

help: ## List the targets
	@echo "usage: make <target>"
	@echo
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo
	@echo "Settings for run (environment or NAME=value): ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL,"
	@echo "SERVICES_<NAME>_URLS, <SERVICE>_HTTP_PORT, <SERVICE>_GRPC_PORT (gRPC of auth 9081, user 9082,"
	@echo "product 9083, payment 9085), SERVICES_<NAME>_GRPC_ADDRESSES (host:port list; default: every instance),"
	@echo "SHOP_PG_PORT, SHOP_REDIS_PORT, SCALE=\"order=2 product=2\" (the n-th instance on both ports + 100),"
	@echo "SHOP_PROMETHEUS_PORT (9090), SHOP_ALERTMANAGER_PORT (9093), SHOP_MONITORING=0 (neither of them),"
	@echo "SHOP_BIN_DIR (prebuilt executables), SHOP_RUN_DIR (another run folder; stop/reset honour it),"
	@echo "TLS=1 (the gateway serves https with a local certificate; curl --cacert .run/dev/tls/ca.pem);"
	@echo "see scripts/run.sh and docs/configuration.md."

run: ## Install Postgres+Redis+Prometheus+Alertmanager if missing, build, start all seven services (Ctrl-C stops)
	bash scripts/run.sh

test: ## Fresh Postgres+Redis under .run/test, checks, swift build --build-tests, swift test, then smoke + fuzz
	bash scripts/test.sh $(ARGS)

smoke: ## make run on free ports (own folder), Ctrl-C / make stop / make reset leave nothing; fuzzes the contract
	bash scripts/smoke.sh

fuzz: ## schemathesis against a running make run (URL=http://127.0.0.1:8080) as anonymous, customer and admin
	bash scripts/fuzz.sh $(URL)

chaos: ## The chaos suite at full size: 200+ orders, 20+ kills of product/payment/order/notification, Redis once
	CHAOS_ORDERS=$${CHAOS_ORDERS:-200} CHAOS_KILLS=$${CHAOS_KILLS:-20} CHAOS_DURATION_SECONDS=$${CHAOS_DURATION_SECONDS:-600} \
		bash scripts/test.sh --filter Chaos

bench: ## Release build, then the stack vs nginx and pgbench (reads, checkout, RSS, start-up) -> bench/results/ (~13 min)
	bash bench/run.sh $(ARGS)

build: ## swift build
	swift build

generate: ## Regenerate Sources/InternalAPI from proto/ (Debian protoc + plugins built from the mirrored packages)
	bash scripts/generate.sh

stop: ## Stop whatever make run / make test left running (by the pid files in .run/; only SHOP_RUN_DIR's when set)
	bash scripts/stop.sh

reset: ## Stop, then delete .run/dev or SHOP_RUN_DIR (databases, Redis data, metrics, passwords, logs)
	bash scripts/reset.sh

logs: ## Follow the services' logs of make run (SHOP_RUN_DIR's when set); ID=<request or trace id>: that one, in time order
	bash scripts/logs.sh

fmt: ## Format the Swift sources in place
	swift format --in-place --recursive $(SWIFT_FORMAT_PATHS)

lint: ## Check the Swift sources' formatting
	swift format lint --strict --recursive $(SWIFT_FORMAT_PATHS)

compose-check: ## Validate docker-compose.yml (docker-compose config -q)
	bash scripts/compose-check.sh

k8s-check: ## Validate deploy/k8s (kubernetes-validate --strict, installed into .venv)
	bash -c 'source scripts/lib.sh && shop_init test && k8s_check'
