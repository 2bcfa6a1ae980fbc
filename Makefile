# streamlab: the verbs people type. `make` alone lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

# Settings live in .env, with local overrides (the Jupyter token and, offline, the mirrors) in
# .env.local; a variable set in the shell wins over both, for compose and for our scripts alike.
# compose reads .env.local itself, so a token written during this run is seen.
COMPOSE ?= docker compose --env-file .env --env-file .env.local
PYTHON ?= python3
VENV ?= .venv
WORKERS ?= 1
SERVICE ?=
ARGS ?=
PYTEST_ARGS ?=
VPY := $(VENV)/bin/python

.PHONY: help token up down clean build ps logs topics venv lint test integration-test check urls prereqs

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# A random Jupyter token, kept in .env.local (git-ignored) beside any offline mirror overrides.
token:
	@touch .env.local; grep -q '^STREAMLAB_JUPYTER_TOKEN=' .env.local \
	  || (umask 077; echo "STREAMLAB_JUPYTER_TOKEN=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(16))')" >> .env.local)

prereqs: ## offline only: install Docker, a base image and local mirrors (root; see README)
	bash scripts/offline-prereqs.sh

build: token ## build the images (mirrors from .env.local when set)
	@$(PYTHON) -m streamlab.preflight mirrors
	$(COMPOSE) build

up: token ## build if needed, start the stack, wait until healthy, print the URLs (WORKERS=n)
	@$(PYTHON) -m streamlab.preflight mirrors ports
	$(COMPOSE) up -d --wait --wait-timeout 300 --scale spark-worker=$(WORKERS) \
	  || { echo "The stack did not become healthy; see 'make ps' and 'make logs'." >&2; exit 1; }
	@$(MAKE) --no-print-directory urls

urls: ## print the URLs of the running stack
	@$(PYTHON) -m streamlab.urls

down: ## stop and remove the containers (data volumes are kept)
	$(COMPOSE) down --remove-orphans

clean: ## stop and remove this project's containers, networks and volumes
	$(COMPOSE) down --remove-orphans --volumes

ps: ## show the services and their health
	$(COMPOSE) ps

logs: ## follow the logs (SERVICE=kafka for one service)
	$(COMPOSE) logs --follow --tail 100 $(SERVICE)

topics: ## list the Kafka topics with their partitions
	$(COMPOSE) exec -T kafka kafka-topics --bootstrap-server kafka:9092 --describe

# PySpark on the host runs the unit tests of the job's batch function (local mode, no Docker),
# at the version pinned in .env.
SPARK_VERSION := $(shell sed -n 's/^STREAMLAB_SPARK_VERSION=//p' .env)

$(VENV)/.installed: requirements-dev.txt .env
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt "pyspark==$(SPARK_VERSION)"
	touch $@

venv: $(VENV)/.installed ## create .venv with the test tools

lint: venv ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: venv ## unit tests (no Docker)
	$(VPY) -m pytest -m unit $(PYTEST_ARGS)

integration-test: venv token ## integration tests on the real stack (testcontainers starts it)
	$(VPY) -m pytest -m integration $(PYTEST_ARGS)

check: lint test integration-test ## everything CI runs
