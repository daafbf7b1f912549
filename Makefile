# Everything runs through go; Node.js (for jsii) must be on PATH.
GO ?= go
# Node 20 is end-of-life; without this jsii prints a 10-line banner per run.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export CHECKPOINT_DISABLE := 1
# The AWS provider module has no checksum-database entry; go.sum pins it.
export GONOSUMDB := github.com/cdktf/cdktf-provider-aws-go

.PHONY: help setup build synth test unit snapshot schema validate lint bench deploy-bench cdktf-synth clean scan determinism shellcheck mermaid e2e

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: ## download Go modules and check that Node.js is present
	@command -v node >/dev/null || { echo "Node.js is required (jsii runs the constructs in it): apt-get install nodejs"; exit 1; }
	$(GO) mod download

build: ## compile everything (the AWS provider packages take ~1 min cold)
	$(GO) build ./...

synth: ## synthesize $${CLUSTER_CONFIG:-cluster.yaml or the example} into cdktf.out/
	$(GO) run .

test: lint ## lint, then every test (unit, property, golden snapshots)
	$(GO) test -count=1 ./...

unit: ## tests that do not start jsii (config, rendering): seconds
	$(GO) test -count=1 ./config/... ./constructs/...

snapshot: ## rewrite testdata/golden after an intended change; review the diff
	$(GO) test -count=1 -run 'TestGolden|TestGettingStartedExcerpt' -update .

schema: ## rewrite config/cluster.schema.json and docs/configuration.md from the config's Go types and doc comments
	$(GO) run ./tools/schemagen

validate: ## check $${CLUSTER_CONFIG:-cluster.yaml or the example} without synthesizing
	$(GO) run . validate

lint: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench: ## synth times: the example, the provider alone, 9/21/32 (every) proxy regions in-process and as whole runs, lazy and eager
	$(GO) test -run '^$$' -bench 'Synth' -benchtime 3x .
	$(GO) build -o .bench/app .
	$(GO) build -o .bench/floor ./tools/providerfloor
	$(GO) run ./tools/synthbench -app .bench/app -floor .bench/floor -sizes 9,21,32 -runs 3 -connectivity vpc_peering,transit_gateway

# DEPLOY_BENCH_SIZES: proxy regions of the sample configs; DEPLOY_BENCH_STACKS: --concurrency.
DEPLOY_BENCH_SIZES ?= 4,9
DEPLOY_BENCH_STACKS ?= 4
deploy-bench: ## time a first deploy (go run . apply --local) of sample configs of $(DEPLOY_BENCH_SIZES) proxy regions into the local emulator; tens of minutes each
	$(GO) build -o .bench/app .
	@for n in $$(echo $(DEPLOY_BENCH_SIZES) | tr , ' '); do \
	  d=.bench/deploy-$$n; rm -rf $$d; mkdir -p $$d; \
	  $(GO) run ./tools/sampleconfig -regions $$n > $$d/cluster.yaml || exit 1; \
	  (cd $$d && CLUSTER_CONFIG=cluster.yaml ../app > synth.log 2>&1) || { cat $$d/synth.log; exit 1; }; \
	  start=$$(date +%s); \
	  (cd $$d && CLUSTER_CONFIG=cluster.yaml ../app apply --local --concurrency $(DEPLOY_BENCH_STACKS) > apply.log 2>&1) || { tail -30 $$d/apply.log; exit 1; }; \
	  echo "$$n proxy regions ($$(ls $$d/cdktf.out/stacks | wc -l) stacks, --concurrency $(DEPLOY_BENCH_STACKS)): first deploy in $$(( $$(date +%s) - start )) s; log $$d/apply.log"; \
	done

cdktf-synth: ## synthesize through the cdktf CLI (npm install -g cdktf-cli@0.20.11)
	cdktf synth

determinism: ## synthesize the example from two fresh clones of HEAD at different paths; fail unless byte-identical
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git clone -q . "$$tmp/one"; git clone -q . "$$tmp/second/checkout"; \
	for d in "$$tmp/one" "$$tmp/second/checkout"; do (cd "$$d" && $(GO) run . 2>/dev/null); done; \
	diff -r "$$tmp/one/cdktf.out" "$$tmp/second/checkout/cdktf.out"; \
	if grep -rl "$$tmp" "$$tmp/one/cdktf.out" "$$tmp/second/checkout/cdktf.out"; then echo "checkout path written into the output"; exit 1; fi; \
	echo "determinism: $$(find "$$tmp/one/cdktf.out" -type f | wc -l) files byte-identical from two checkouts"

BOOT_SCRIPTS := constructs/teleportconfig/scripts

shellcheck: ## lint the boot scripts, and every user data of the snapshots with the files it writes (apt-get install shellcheck)
	shellcheck -S warning -s bash -x -P SCRIPTDIR $(BOOT_SCRIPTS)/lib.sh $(BOOT_SCRIPTS)/teleport-*
	shellcheck -S warning -s bash testdata/golden/*/teleport/*-user-data.sh
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	files=$$($(GO) run ./tools/bootfiles -out "$$tmp" testdata/golden/*/teleport/*-user-data.sh); \
	shellcheck -S warning -s bash -x -P SCRIPTDIR $$files; \
	echo "shellcheck: $$(echo "$$files" | wc -l) files written by $$(ls testdata/golden/*/teleport/*-user-data.sh | wc -l) user data, and $(BOOT_SCRIPTS)"

clean: ## remove synthesized output and the local rehearsal's state
	rm -rf cdktf.out .emulator

# The emulator run (package e2e): terraform validate of every stack of every
# golden config, then apply into the local emulator (moto + emulator/moto_shim.py)
# and plan again, expecting no changes; the change scenarios and deletion
# protection on the example. Needs terraform, the AWS provider (a mirror or the
# registry) and Python 3 with moto 5. E2E_CONFIGS=all deploys every golden
# config; E2E_RUN selects tests (go test -run).
E2E_CONFIGS ?= all
E2E_RUN ?= .
E2E_PARALLEL ?= 4
# E2E_SCENARIOS=N: only the first N day-2 scenarios ("" = all); E2E_SKIP: go test -skip.
E2E_SCENARIOS ?=
E2E_SKIP ?=
# E2E_MOVE=1: also TestMoveToMeshStacks (a transit gateway cluster moved to mesh stacks; not in CI).
E2E_MOVE ?=
e2e: ## apply every golden config into a local AWS emulator and re-plan to no changes; change scenarios; protection (tens of minutes)
	E2E_EMULATOR=1 E2E_CONFIGS=$(E2E_CONFIGS) E2E_SCENARIOS=$(E2E_SCENARIOS) E2E_MOVE=$(E2E_MOVE) E2E_RECOVERY=$(E2E_RECOVERY) E2E_DIFF_REPORT=$(CURDIR)/.e2e-diff-report.md \
	  $(GO) test -count=1 -v -timeout 85m -parallel $(E2E_PARALLEL) -run '$(E2E_RUN)' -skip '$(E2E_SKIP)' ./e2e

TFSEC_VERSION := v1.26.0
TRIVY_VERSION := v0.74.0
SCAN_CONFIGS := examples/cluster.yaml testdata/configs/public-four-regions.yaml testdata/configs/oss-single-region.yaml testdata/configs/transit-gateway.yaml testdata/configs/existing-vpc.yaml testdata/configs/existing-vpc-tgw.yaml testdata/configs/teleport-images.yaml testdata/configs/athena-audit.yaml

bin/tfsec:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/aquasecurity/tfsec/cmd/tfsec@$(TFSEC_VERSION)

# Trivy needs the jsonv2 experiment with Go 1.26; the build takes ~8 minutes
# on 2 cores, once per machine.
bin/trivy:
	GOBIN=$(CURDIR)/bin GOEXPERIMENT=jsonv2 CGO_ENABLED=0 $(GO) install github.com/aquasecurity/trivy/cmd/trivy@$(TRIVY_VERSION)

scan: bin/tfsec bin/trivy ## tfsec and Trivy on every stack's HCL rendering; fail on findings not in security/accepted-findings.yaml
	rm -rf .scan && mkdir -p .scan
	$(GO) build -o .scan/app .
	set -e; for cfg in $(SCAN_CONFIGS); do \
	  name=$$(basename $$cfg .yaml); mkdir -p .scan/$$name; \
	  (cd .scan/$$name && CLUSTER_CONFIG=$(CURDIR)/$$cfg SYNTH_HCL_OUTPUT=true ../app 2>../synth.err) || { cat .scan/synth.err; exit 1; }; \
	  for dir in .scan/$$name/cdktf.out/stacks/*/; do \
	    stack=$$(basename $$dir); \
	    if command -v terraform >/dev/null; then \
	      terraform fmt -write=false $$dir/cdk.tf >/dev/null 2>.scan/fmt.err || { echo "invalid HCL in $$dir"; cat .scan/fmt.err; exit 1; }; fi; \
	    bin/tfsec $$dir --no-colour --format json --soft-fail > .scan/$$name-$$stack.json 2>/dev/null; \
	    bin/trivy config --skip-check-update --skip-version-check --disable-telemetry --quiet \
	      --cache-dir .scan/trivy-cache --format json $$dir > .scan/$$name-$$stack.trivy.json; \
	  done; \
	done
	$(GO) run ./tools/scancheck security/accepted-findings.yaml .scan/*.json

# Mermaid renderer: @mermaid-js/mermaid-cli (pinned with its puppeteer in
# tools/mermaid/package-lock.json) driving Debian's chromium, installed into
# tools/mermaid/node_modules (git-ignored). mermaid-cli 12 needs Node.js 22;
# 11.17 runs on 20 and applies Mermaid's default limit of 500 edges, as
# GitHub does.
MERMAID_DIR := tools/mermaid
MMDC := $(MERMAID_DIR)/node_modules/.bin/mmdc

$(MMDC): $(MERMAID_DIR)/package.json $(MERMAID_DIR)/package-lock.json
	@command -v chromium >/dev/null || { echo "chromium is required: apt-get install chromium"; exit 1; }
	cd $(MERMAID_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

mermaid: $(MMDC) ## render the diagram of every golden review.md, an every-region and the 13-region synth with a real Mermaid renderer
	rm -rf .mermaid && mkdir -p .mermaid
	$(GO) build -o .mermaid/app .
	$(GO) run ./tools/sampleconfig > .mermaid/every-region.yaml
	cd .mermaid && CLUSTER_CONFIG=every-region.yaml CDKTF_OUTDIR=every-region ./app 2>synth.err || { cat synth.err; exit 1; }
	cd .mermaid && CLUSTER_CONFIG=../testdata/configs/many-regions.yaml CDKTF_OUTDIR=many-regions ./app 2>synth.err || { cat synth.err; exit 1; }
	set -e; for review in testdata/golden/*/review.md .mermaid/every-region/review.md .mermaid/many-regions/review.md; do \
	  name=$$(basename $$(dirname $$review)); \
	  awk '/^```mermaid$$/{f=1;next} /^```$$/{f=0} f' $$review > .mermaid/$$name.mmd; \
	  test -s .mermaid/$$name.mmd || { echo "$$review: no Mermaid diagram"; exit 1; }; \
	  $(MMDC) -q -p $(MERMAID_DIR)/puppeteer.json -i .mermaid/$$name.mmd -o .mermaid/$$name.svg \
	    || { echo "$$review: Mermaid refused the diagram"; exit 1; }; \
	  echo "mermaid: $$name: $$(grep -cE -- ' ---[|]| -->[|]' .mermaid/$$name.mmd) edges rendered"; \
	done
