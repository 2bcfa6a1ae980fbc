# streamlab: the verbs people type. `make` alone lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

# Settings live in .env, with local overrides (the Jupyter token and, offline, the mirrors) in
# .env.local; a variable set in the shell wins over both, for compose, make and our scripts
# alike. One reader, streamlab.config, merges them: make asks it (`setting`), and it names the
# env files that exist for compose, when each command runs (so a fresh clone without
# .env.local works, and a token written during this run is seen).
# HA=1 adds the replicated profile: brokers kafka-2 and kafka-3, topics with replication
# factor 3 and min.insync.replicas=2, and clients that know all three brokers.
# KRAFT=1 runs Kafka 4 in KRaft mode instead of Kafka 3.9 with ZooKeeper (the seed's set-up):
# docker-compose.kraft.yml laid over docker-compose.yml, for every compose command that make
# and our scripts run; with HA=1, three combined nodes and a quorum of three controllers.
PYTHON ?= python3
setting = $(shell $(PYTHON) -m streamlab.config $(1))
HA ?=
KRAFT ?=
ifneq ($(KRAFT),)
export COMPOSE_FILE := docker-compose.yml:docker-compose.kraft.yml
endif
METRICS ?=
COMPOSE ?= docker compose $(shell $(PYTHON) -m streamlab.config --env-file-args) $(if $(HA),--profile ha) $(if $(METRICS),--profile metrics)
ifneq ($(HA),)
export STREAMLAB_KAFKA_BOOTSTRAP ?= kafka:9092,kafka-2:9092,kafka-3:9092
export STREAMLAB_KRAFT_VOTERS ?= 1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093
REPLICATION := 3 --config min.insync.replicas=2
else
REPLICATION := 1
endif
VENV ?= .venv
WORKERS ?= 1
SERVICE ?=
ARGS ?=
PYTEST_ARGS ?=
VPY := $(VENV)/bin/python

.PHONY: shellcheck bench arm64 arm64-prereqs help token up notebook topic submit produce demo job-logs results reset down clean build ps logs topics venv lint test integration-test check urls prereqs

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# A random Jupyter token, kept in .env.local (git-ignored) beside any offline mirror overrides;
# and the KRaft cluster's id, made once, as Kafka makes one (streamlab/kraft.py).
token:
	@touch .env.local; grep -q '^STREAMLAB_JUPYTER_TOKEN=' .env.local \
	  || (umask 077; echo "STREAMLAB_JUPYTER_TOKEN=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(16))')" >> .env.local)
	@grep -q '^STREAMLAB_KRAFT_CLUSTER_ID=' .env.local \
	  || echo "STREAMLAB_KRAFT_CLUSTER_ID=$$($(PYTHON) -m streamlab.kraft)" >> .env.local

prereqs: ## offline only: install Docker, a base image and local mirrors (root; see docs/building.md)
	bash scripts/offline-prereqs.sh

arm64-prereqs: ## for make arm64 on an x86 machine: qemu's emulation, offline an arm64 base image and wheels (root)
	bash scripts/arm64-prereqs.sh

build: token ## build the images (mirrors from .env.local when set)
	@$(PYTHON) -m streamlab.preflight engine mirrors
	$(COMPOSE) build

up: token ## build if needed, start the stack, wait until healthy, print the URLs (WORKERS=n, HA=1, KRAFT=1, METRICS=1)
	@$(PYTHON) -m streamlab.preflight engine mirrors ports $(if $(HA),ha-ports) $(if $(METRICS),metrics-ports)
	$(COMPOSE) up -d --scale spark-worker=$(WORKERS) \
	  || { echo "The stack did not start; see 'make ps' and 'make logs'." >&2; exit 1; }
	@$(PYTHON) -m streamlab.preflight health
	$(COMPOSE) up -d --wait --wait-timeout $(call setting,STREAMLAB_UP_TIMEOUT) --scale spark-worker=$(WORKERS) \
	  || { echo "The stack did not become healthy; see 'make ps' and 'make logs'." >&2; exit 1; }
	@$(MAKE) --no-print-directory urls

urls: ## print the URLs of the running stack
	@$(PYTHON) -m streamlab.urls

# NOTEBOOK_LANG=zh opens the Chinese edition (notebooks/zh/); LANG is the shell's own.
NOTEBOOK_LANG ?= en
notebook: up ## start the lab if needed and print the URLs that open the walkthroughs (NOTEBOOK_LANG=zh: 中文版)
	@echo "Open a walkthrough (the token logs you in):"
	@$(PYTHON) -m streamlab.urls notebook $(NOTEBOOK_LANG)

# ---- the word-count exercise ---------------------------------------------------------------
JOBS := $(COMPOSE) --profile jobs
# down and clean also remove the replicated profile's brokers, whether HA is set or not.
ALL := $(JOBS) --profile ha --profile metrics
# clean removes both modes' volumes, whether KRAFT is set or not: compose removes only the
# volumes that the services of the files it reads use.
BOTH_MODES := docker-compose.yml docker-compose.yml:docker-compose.kraft.yml
# TOPIC=other on the command line, or STREAMLAB_TOPIC in the shell, .env.local or .env.
TOPIC ?= $(call setting,STREAMLAB_TOPIC)
PARTITIONS ?= $(call setting,STREAMLAB_TOPIC_PARTITIONS)

topic: ## create the exercise's topic (TOPIC=words, PARTITIONS=3; HA=1: 3 replicas) if missing
	$(COMPOSE) exec -T kafka kafka-topics --bootstrap-server kafka:9092 --create --if-not-exists \
	  --topic $(TOPIC) --partitions $(PARTITIONS) --replication-factor $(REPLICATION)

# API=dstream: the tutorial's own API, DStreams and KafkaUtils.createDirectStream
# (jobs/dstream_wordcount.py), instead of Structured Streaming (jobs/wordcount.py).
API ?= structured
JOB_SCRIPTS := structured=wordcount dstream=dstream_wordcount
JOB = $(or $(patsubst $(API)=%,%,$(filter $(API)=%,$(JOB_SCRIPTS))),$(error API=$(API) is not a job: use API=structured (the default) or API=dstream))
JOB_ENV = STREAMLAB_TOPIC=$(TOPIC) STREAMLAB_JOB=$(JOB)

submit: token ## submit the streaming word count to the cluster (restarts it if running; API=dstream: the tutorial's DStream job)
	@$(PYTHON) -m streamlab.topics check $(TOPIC)
	@$(PYTHON) -m streamlab.preflight health
	$(JOB_ENV) $(JOBS) up -d --force-recreate wordcount
	@echo "  job UI: http://127.0.0.1:$(call setting,STREAMLAB_SPARK_UI_PORT) > Running Applications > streamlab-$(subst _,-,$(JOB))  (follow the counts: make job-logs)"

produce: token ## run the producer (seed defaults; ARGS="--count 100 --interval 0.5" to change)
	@$(PYTHON) -m streamlab.preflight health
	STREAMLAB_TOPIC=$(TOPIC) $(JOBS) run --rm producer python /opt/streamlab/producer/producer.py $(ARGS)

# docker logs, not compose logs: the output stays exactly as the job printed it.
job-logs: ## follow the word count's output
	docker logs --follow $$($(JOBS) ps -q wordcount)

results: ## the word counts summed over all batches so far, from the results sink
	$(JOBS) exec -T wordcount python -m jobs.results --topic $(TOPIC)

demo: up topic ## the exercise: start the stack, submit the job, produce the seed lines, follow the counts (API=dstream: on DStreams)
	$(JOB_ENV) $(JOBS) up -d wordcount
	STREAMLAB_TOPIC=$(TOPIC) $(JOBS) up -d --force-recreate producer
	@echo "===> the producer sends 60 lines, one every 2 s; the job counts them every 3 s (Ctrl-C stops following)"
	@$(MAKE) --no-print-directory job-logs

reset: ## start TOPIC's exercise over: stop the job, remove its checkpoint, results, progress (DELETE=1: the topic too)
	$(JOBS) rm --stop --force wordcount
	$(JOBS) run --rm --no-deps wordcount python -m jobs.reset --topic $(TOPIC)
	$(if $(DELETE),$(COMPOSE) exec -T kafka kafka-topics --bootstrap-server kafka:9092 --delete --if-exists --topic $(TOPIC))

down: ## stop and remove the containers (data volumes are kept)
	$(ALL) down --remove-orphans

clean: ## stop and remove this project's containers, networks and volumes (both modes')
	for files in $(BOTH_MODES); do COMPOSE_FILE=$$files $(ALL) down --remove-orphans --volumes; done

ps: ## show the services and their health
	$(ALL) ps

logs: ## follow the logs (SERVICE=kafka for one service, the job and extra brokers included)
	$(ALL) logs --follow --tail 100 $(SERVICE)

topics: ## list the Kafka topics with their partitions
	$(COMPOSE) exec -T kafka kafka-topics --bootstrap-server kafka:9092 --describe

# PySpark on the host runs the unit tests of the job's batch function (local mode, no Docker),
# at the version pinned in .env.
SPARK_VERSION = $(call setting,STREAMLAB_SPARK_VERSION)

# The lab's own packages (jobs, producer, streamlab) go in editable, as in the Spark image.
$(VENV)/.installed: requirements-dev.txt pyproject.toml .env
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt "pyspark==$(SPARK_VERSION)"
	$(VPY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.installed ## create .venv with the test tools

# Every shell script of the project (the Kafka image's bin/ holds shell scripts only).
SHELL_SCRIPTS = scripts/*.sh .ci/run images/jdk/resolve-jars.sh images/kafka/bin/* \
  images/spark/*.sh images/spark/bin/streamlab-entrypoint images/spark/bin/streamlab-submit \
  images/spark/bin/streamlab-health images/prometheus/health
DOCKERFILES = images/Dockerfile images/prometheus/Dockerfile

lint: venv ## ruff, mypy, shellcheck and hadolint (all from .venv)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	@$(MAKE) --no-print-directory shellcheck
	$(VENV)/bin/hadolint $(DOCKERFILES)

shellcheck: venv
	$(VENV)/bin/shellcheck -x $(SHELL_SCRIPTS)

test: venv ## unit tests (no Docker)
	$(VPY) -m pytest -m unit $(PYTEST_ARGS)

integration-test: venv token ## integration tests on the real stack (testcontainers starts it)
	$(VPY) -m pytest -m integration $(PYTEST_ARGS)

check: lint test integration-test ## everything CI runs

# The images for linux/arm64 (Apple Silicon), built without cache in a project of their own
# (streamlab-arm64), and `make demo API=dstream` on them until the seed's totals are exact:
# the bench's arm64 part, alone. Under emulation on an x86 machine, expect it to be slow (its
# first full run's time is in bench/results/README.md).
arm64: venv token ## build the images for linux/arm64 and count the tutorial's seed on them (slow when emulated on x86)
	$(VPY) -m bench --only arm64 $(ARGS)

bench: venv token ## benchmarks on the real stack, tens of minutes (ARGS="--only idle,latency": some parts), in a project of their own (the lab may stay up); see bench/results/
	$(VPY) -m bench $(ARGS)
