# shellcheck shell=bash disable=SC2034 # variables here are for the scripts that source this file
# Shared by every boot script: paths, logging, instance metadata, metrics and
# retries. Sourced, never run. The role's settings come from the environment
# file that user data writes (rendered from typed Go values: env.go).
#
# TELEPORT_BOOT_ROOT prefixes every path, so that the behaviour tests run the
# scripts in a temporary directory with stand-in commands first on PATH.

ROOT="${TELEPORT_BOOT_ROOT:-}"
BOOT_ETC="${ROOT}/etc/teleport-boot"
BOOT_BIN="${ROOT}/usr/local/bin"
BOOT_STATE="${ROOT}/var/lib/teleport-boot"
IMDS="${TELEPORT_BOOT_IMDS:-http://169.254.169.254}"

# shellcheck source=/dev/null
. "${BOOT_ETC}/env"
# Settings the environment file leaves out when they are off (omitempty in
# env.go).
TELEPORT_PREINSTALLED="${TELEPORT_PREINSTALLED:-false}"

JOB="$(basename "$0")"

# Markers written by the boot, read by the timer jobs.
STARTED_MARKER="${BOOT_STATE}/teleport-started"
DRAINING_MARKER="${BOOT_STATE}/draining"

log() { echo "$(date -u +%FT%TZ) ${JOB}: $*"; }

# imds PATH reads instance metadata with a session token (IMDSv2: the launch
# templates require tokens). It retries: the metadata service can be briefly
# unavailable at boot.
imds() {
  local token attempt
  for attempt in 1 2 3 4 5; do
    if token=$(curl -fsS --max-time 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "${IMDS}/latest/api/token") &&
      curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/latest/$1"; then
      return 0
    fi
    sleep "${attempt}"
  done
  return 1
}

# instance_facts sets INSTANCE_ID and REGION, and AWS_DEFAULT_REGION for the
# AWS CLI.
instance_facts() {
  INSTANCE_ID=$(imds meta-data/instance-id)
  REGION=$(imds meta-data/placement/region)
  export AWS_DEFAULT_REGION="${REGION}"
}

# put_metric NAME VALUE [UNIT] publishes one value for this instance's group.
# A failure is logged, never fatal: metrics must not stop a boot.
put_metric() {
  aws cloudwatch put-metric-data --namespace "${METRIC_NAMESPACE}" --metric-name "$1" \
    --dimensions "AutoScalingGroupName=${GROUP_NAME}" --unit "${3:-Count}" --value "$2" >/dev/null ||
    log "could not publish metric $1=$2"
}

# boot_failed STEP MESSAGE says, in the log and as the BootFailures metric
# (an alarm watches it), that a boot step gave up for good.
boot_failed() {
  log "FAILED: $1: $2"
  put_metric "${BOOT_FAILURES_METRIC}" 1
  FAILURE_REPORTED=1
}

# report_unexpected_exit, as the boot's EXIT trap, reports a boot that
# stopped on an error no step reported (set -e).
report_unexpected_exit() {
  local status=$?
  if ((status != 0)) && [ -z "${FAILURE_REPORTED:-}" ]; then
    boot_failed "${JOB}" "stopped with status ${status}; the lines above say where"
  fi
}

# The cluster certificate is published as one object, the private key
# followed by the chain, so that a reader never gets a key and a
# certificate of different renewals.
#
# split_keypair BUNDLE KEY CHAIN writes the parts of a published object.
split_keypair() {
  awk '/-----BEGIN [A-Z ]*PRIVATE KEY-----/ {k = 1} k {print} /-----END [A-Z ]*PRIVATE KEY-----/ {k = 0}' "$1" >"$2"
  awk '/-----BEGIN CERTIFICATE-----/ {c = 1} c {print} /-----END CERTIFICATE-----/ {c = 0}' "$1" >"$3"
}

# keypair_matches KEY CHAIN: the key is the private key of the chain's
# first certificate (their public keys are equal).
keypair_matches() {
  local key cert
  key=$(openssl pkey -in "$1" -pubout 2>/dev/null) && cert=$(openssl x509 -in "$2" -noout -pubkey 2>/dev/null) &&
    [ -n "${key}" ] && [ "${key}" = "${cert}" ]
}

# days_left CERT prints how many whole days CERT stays valid.
days_left() {
  local end
  end=$(openssl x509 -enddate -noout -in "$1" | cut -d= -f2)
  echo $((($(date -d "${end}" +%s) - $(date +%s)) / 86400))
}

# retry ATTEMPTS COMMAND... runs COMMAND until it succeeds, at most ATTEMPTS
# times, sleeping 10, 20, 30... seconds in between.
retry() {
  local attempts=$1 attempt
  shift
  for ((attempt = 1; ; attempt++)); do
    if "$@"; then return 0; fi
    if ((attempt >= attempts)); then return 1; fi
    sleep $((attempt * 10))
  done
}

# wait_for WHAT INTERVAL COMMAND... runs COMMAND until it succeeds, forever.
# Each minute of waiting it logs, publishes BootWaitSeconds (the seconds
# waited so far, so that an alarm sees an instance stuck at a gate) and calls
# the function named by WAIT_HOOK if set (proxies keep their launch lifecycle
# hook alive with it).
wait_for() {
  local what=$1 interval=$2 start now last=0
  shift 2
  start=$(date +%s)
  until "$@"; do
    now=$(date +%s)
    if ((now - last >= 60)); then
      log "waiting for ${what} ($((now - start)) s so far)"
      put_metric "${BOOT_WAIT_METRIC}" "$((now - start))" Seconds
      if [ -n "${WAIT_HOOK:-}" ]; then "${WAIT_HOOK}"; fi
      last=${now}
    fi
    sleep "${interval}"
  done
}

# launch_heartbeat keeps this instance's launch lifecycle hook alive (every
# wait of the boot calls it once a minute, as its WAIT_HOOK).
launch_heartbeat() {
  aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name "${GROUP_NAME}" \
    --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" >/dev/null 2>&1 || true
}

# complete_launch RESULT ends this instance's launch lifecycle action:
# CONTINUE puts it in service, ABANDON has Auto Scaling terminate it.
complete_launch() {
  aws autoscaling complete-lifecycle-action --auto-scaling-group-name "${GROUP_NAME}" \
    --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" \
    --lifecycle-action-result "$1" || log "no lifecycle action to complete ($1)"
}

# admit_when_ready is the last step of a boot: the instance enters service
# only once Teleport's /readyz answers 200 (every component of the process
# reported OK), so an instance refresh replaces a working server only with
# a working one. Waiting, it keeps the hook alive. If Teleport is not ready
# within READY_TIMEOUT_SECONDS the boot failed: it says so (BootFailures,
# which the groups' instance refreshes watch to roll back) and abandons the
# instance, which Auto Scaling then terminates.
admit_when_ready() {
  local start now last
  start=$(date +%s)
  last=${start}
  until curl -fsS --max-time 5 "${READYZ_URL}" >/dev/null 2>&1; do
    now=$(date +%s)
    if ((now - start >= READY_TIMEOUT_SECONDS)); then
      boot_failed ready "Teleport's ${READYZ_URL} did not answer 200 within ${READY_TIMEOUT_SECONDS} s (Teleport's log, /var/log/teleport/teleport.log, says why); abandoning this instance"
      complete_launch ABANDON
      return 1
    fi
    if ((now - last >= 60)); then
      log "waiting for Teleport to be ready ($((now - start)) s so far)"
      launch_heartbeat
      last=${now}
    fi
    sleep 10
  done
  log "Teleport is ready"
  complete_launch CONTINUE
}

# teleport_installed lets timer jobs that fire before the boot installed
# Teleport skip their run.
teleport_installed() { command -v tctl >/dev/null; }
