# closeloop. `make dev` runs the product locally with demo data; `make test`
# runs every test against a local AWS stack it starts itself; `make bench`
# prints the benchmark table; `make soak` runs the reliability suite at
# thousands of operations. The SAM build targets are below.

.DEFAULT_GOAL := help
.PHONY: help dev test bench soak

help:
	@echo "make dev    run the product locally on http://localhost:8080 (inbox on :8005)"
	@echo "make test   run every test (starts its own local stack)"
	@echo "make bench  measure every figure of issue 14 (about 20 min): bench/results.md and .json"
	@echo "make soak   run the reliability suite at thousands of operations (about 5 min, 20 at most)"

dev:
	bash infra/dev.sh

test:
	bash infra/test.sh

bench:
	bash infra/bench.sh

# The reliability suite (internal/reliability) with its counts scaled up;
# go test's timeout bounds it.
soak:
	CLOSELOOP_SOAK=1 PKGS=./internal/reliability/ bash infra/test.sh -timeout 20m -v -run .

# --- SAM build targets ---
# `sam build` runs `make build-<LogicalId>` for every function with
# `Metadata: {BuildMethod: makefile}` and `CodeUri: .`, passing ARTIFACTS_DIR;
# each target leaves one arm64 `bootstrap` there for provided.al2023.

GO ?= go

# Logical ID in template.yaml -> package under ./functions.
SAM_FUNCTION_DIR_PublicFunction   := public
SAM_FUNCTION_DIR_AdminFunction    := admin
SAM_FUNCTION_DIR_DashboardFunction := dashboard
SAM_FUNCTION_DIR_DispatchFunction := dispatch
SAM_FUNCTION_DIR_RelayFunction    := relay
SAM_FUNCTION_DIR_FollowupFunction := followup
SAM_FUNCTION_DIR_WebhookFunction  := webhook
SAM_FUNCTION_DIR_SlaFunction      := sla
SAM_FUNCTION_DIR_DigestFunction   := digest
SAM_FUNCTION_DIR_SesEventsFunction := sesevents
SAM_FUNCTION_DIR_RepliesFunction  := replies
SAM_FUNCTION_DIR_ShopHooksFunction := shophooks
SAM_FUNCTIONS := PublicFunction AdminFunction DashboardFunction DispatchFunction RelayFunction FollowupFunction WebhookFunction SlaFunction DigestFunction SesEventsFunction RepliesFunction ShopHooksFunction

.PHONY: $(addprefix build-,$(SAM_FUNCTIONS))
$(addprefix build-,$(SAM_FUNCTIONS)): build-%:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set; `sam build` sets it))
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(SAM_FUNCTION_DIR_$*)
# --- end SAM build targets ---
