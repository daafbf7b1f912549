#!/bin/bash
# User data of a Teleport proxy instance, rendered by this repository's
# constructs/teleportconfig package (gzip-compressed in the launch template).
# It only writes files: this role's settings (env), teleport.yaml with
# placeholders filled at boot, and the boot scripts and timers, which are
# static files of the repository (constructs/teleportconfig/scripts). Then it
# runs teleport-boot-proxy. Output goes to /var/log/teleport-boot.log.
# rollout: teleport=17.7.16 ami-generation=587d237a21bc
set -euo pipefail
R="${TELEPORT_BOOT_ROOT:-}"
mkdir -p "${R}/var/log"
exec >>"${R}/var/log/teleport-boot.log" 2>&1
write() { mkdir -p "$(dirname "${R}$1")" && (umask 077 && cat >"${R}$1") && chmod "$2" "${R}$1"; }

write /etc/teleport-boot/env 0644 <<'TELEPORT_BOOT_FILE'
# Settings of this instance's role, rendered from the cluster config by
# constructs/teleportconfig (env.go). Sourced by the boot scripts.
# shellcheck disable=SC2034
ROLE='proxy'
TELEPORT_VERSION='17.7.16'
TELEPORT_EDITION='enterprise'
AMI_GENERATION='587d237a21bc'
GROUP_NAME='ledger-proxy'
CONFIG_PATH='/etc/teleport.yaml'
DATA_DIR='/var/lib/teleport'
METRIC_NAMESPACE='Teleport'
BOOT_WAIT_METRIC='BootWaitSeconds'
BOOT_FAILURES_METRIC='BootFailures'
CA_PIN_PARAMETER='/teleport/ledger/ca-pin'
ROLLOUT_PARAMETER='/teleport/ledger/auth-rollout'
CERT_DOMAIN='teleport.ledger.example'
CERT_BUCKET='ledger-certs-02e82c00'
CERT_BUCKET_REGION='us-east-2'
AUTH_REGION='us-east-2'
AUTH_SERVER_TAG='TeleportAuthServer'
PEER_ADDRESS_PATH='local-ipv4'
LAUNCH_HOOK='ledger-proxy-wait-for-auth'
TLS_DIR='/var/lib/teleport/tls'
TELEPORT_BOOT_FILE

write /etc/teleport-boot/teleport.yaml 0600 <<'TELEPORT_BOOT_FILE'
version: v3
teleport:
    nodename: __NODENAME__
    data_dir: /var/lib/teleport
    auth_server: __AUTH_SERVER__:3025
    join_params:
        token_name: ledger-proxy-iam
        method: iam
    ca_pin: [__CA_PIN__]
    diag_addr: 0.0.0.0:3000
    log:
        output: stderr
        severity: INFO
        format:
            output: text
auth_service:
    enabled: false
proxy_service:
    enabled: true
    public_addr:
        - teleport.ledger.example:443
    web_listen_addr: 0.0.0.0:443
    peer_listen_addr: 0.0.0.0:3021
    peer_public_addr: __PEER_HOST__:3021
    proxy_protocol: "on"
    https_keypairs:
        - key_file: /var/lib/teleport/tls/privkey.pem
          cert_file: /var/lib/teleport/tls/fullchain.pem
    https_keypairs_reload_interval: 5m
    acme:
        enabled: false
ssh_service:
    enabled: false
TELEPORT_BOOT_FILE

write /usr/local/lib/teleport-boot/lib.sh 0644 <<'TELEPORT_BOOT_FILE'
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

# teleport_installed lets timer jobs that fire before the boot installed
# Teleport skip their run.
teleport_installed() { command -v tctl >/dev/null; }
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-install 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Installs the pinned Teleport release from Teleport's package repository
# (Teleport's install script picks the repository of this distribution),
# unless the image already has it: Teleport's published AMIs
# (ami.source: teleport) carry the release in /usr/local/bin.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

# preinstalled succeeds when the image is meant to have Teleport and
# `teleport version` names exactly the pinned release and edition
# ("Teleport Enterprise v17.7.16 git:..." or "Teleport v17.7.16 git:...",
# PrintVersion in Teleport's modules).
preinstalled() {
  [ "${TELEPORT_PREINSTALLED}" = true ] || return 1
  local want="Teleport v${TELEPORT_VERSION} "
  if [ "${TELEPORT_EDITION}" = enterprise ]; then want="Teleport Enterprise v${TELEPORT_VERSION} "; fi
  case "$(teleport version 2>/dev/null)" in
  "${want}"*) return 0 ;;
  esac
  return 1
}

# own_unit replaces the unit of Teleport's AMI (it starts only with the
# AMI's own configuration files: ConditionPathExists=/etc/teleport.d/role.all,
# assets/aws/files/system/teleport.service) with one that runs the
# configuration these scripts write, and masks the AMI's config generator.
own_unit() {
  cat >"${ROOT}/etc/systemd/system/teleport.service" <<UNIT
[Unit]
Description=Teleport (configured by the cluster's boot scripts)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
Restart=always
RestartSec=5
ExecStart=/usr/local/bin/teleport start --config=${CONFIG_PATH} --pid-file=/run/teleport.pid
ExecReload=/bin/kill -HUP \$MAINPID
PIDFile=/run/teleport.pid
LimitNOFILE=524288

[Install]
WantedBy=multi-user.target
UNIT
  systemctl mask --now teleport-generate-config.service || log "no teleport-generate-config.service to mask"
  systemctl daemon-reload
}

install_teleport() {
  curl -fsSL https://cdn.teleport.dev/install.sh | bash -s "${TELEPORT_VERSION}" "${TELEPORT_EDITION}"
}

if preinstalled; then
  install -d -m 0755 "${ROOT}/etc/systemd/system"
  own_unit
  log "Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}) is in the image: nothing downloaded"
else
  if [ "${TELEPORT_PREINSTALLED}" = true ]; then
    log "the image should have Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}) but has '$(teleport version 2>/dev/null || echo none)': installing it"
  fi
  if ! retry 5 install_teleport; then
    boot_failed install "could not install Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION})"
    exit 1
  fi
  log "installed Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION})"
fi
install -d -m 0700 "${ROOT}${DATA_DIR}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-configure 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Writes /etc/teleport.yaml from the template that user data wrote, replacing
# each placeholder given as PLACEHOLDER=VALUE. Fails, writing nothing, if a
# placeholder is left: Teleport must never start on a half-filled file.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

config=$(cat "${BOOT_ETC}/teleport.yaml")
for pair in "$@"; do
  placeholder=${pair%%=*}
  value=${pair#*=}
  if [ -z "${value}" ]; then
    log "no value for ${placeholder}"
    exit 1
  fi
  # Quoted pattern and replacement: the value is taken literally.
  config=${config//"${placeholder}"/"${value}"}
done
if left=$(grep -o '__[A-Z_]*__' <<<"${config}"); then
  log "placeholders left in teleport.yaml: ${left//$'\n'/ }"
  exit 1
fi
umask 077
printf '%s\n' "${config}" >"${ROOT}${CONFIG_PATH}.new"
mv -f "${ROOT}${CONFIG_PATH}.new" "${ROOT}${CONFIG_PATH}"
log "wrote ${CONFIG_PATH}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-boot-proxy 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# First boot of a Proxy Service instance. The instance waits in its launch
# lifecycle hook (not yet in service, so neither health-checked nor
# replaced) until it starts Teleport; every wait keeps the hook alive.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

log "start: Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}), AMI generation ${AMI_GENERATION}"
TIMERS=(teleport-fetch-cert)
systemctl daemon-reload
for timer in "${TIMERS[@]}"; do systemctl enable --now "${timer}.timer"; done

if ! instance_facts; then
  boot_failed metadata "the instance metadata service does not answer"
  exit 1
fi
if ! AUTH_SERVER=$(imds "meta-data/tags/instance/${AUTH_SERVER_TAG}"); then
  boot_failed metadata "no ${AUTH_SERVER_TAG} instance tag"
  exit 1
fi
placeholders=("__NODENAME__=${INSTANCE_ID}" "__AUTH_SERVER__=${AUTH_SERVER}")
if [ -n "${PEER_ADDRESS_PATH}" ]; then
  PEER_HOST=$(imds "meta-data/${PEER_ADDRESS_PATH}")
  placeholders+=("__PEER_HOST__=${PEER_HOST}")
fi

launch_heartbeat() {
  aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name "${GROUP_NAME}" \
    --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" >/dev/null 2>&1 || true
}
WAIT_HOOK=launch_heartbeat

"${BOOT_BIN}/teleport-install"

# The cluster CA pin, published by the auth instances (SSM, auth region).
read_ca_pin() {
  CA_PIN=$(aws ssm get-parameter --region "${AUTH_REGION}" --name "${CA_PIN_PARAMETER}" \
    --with-decryption --query Parameter.Value --output text) && [[ "${CA_PIN}" == sha256:* ]]
}
wait_for "the auth instances to publish the CA pin in ${CA_PIN_PARAMETER}" 30 read_ca_pin
placeholders+=("__CA_PIN__=${CA_PIN}")

if ! "${BOOT_BIN}/teleport-configure" "${placeholders[@]}"; then
  boot_failed configure "could not write ${CONFIG_PATH}"
  exit 1
fi
"${BOOT_BIN}/teleport-fetch-cert" --placeholder-if-missing

# Never newer than the auth servers: a version bump deployed to every stack
# at once rolls the auth group first.
wait_for "every auth server to run Teleport ${TELEPORT_VERSION} and AMI generation ${AMI_GENERATION}" 60 \
  "${BOOT_BIN}/teleport-launch-gate"
systemctl enable teleport
systemctl restart teleport
mkdir -p "${BOOT_STATE}"
touch "${STARTED_MARKER}"
aws autoscaling complete-lifecycle-action --auto-scaling-group-name "${GROUP_NAME}" \
  --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" \
  --lifecycle-action-result CONTINUE || log "no lifecycle action to complete"
log "done"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-launch-gate 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Exits 0 when the auth servers admit this proxy: the rollout state they
# publish (teleport-publish-rollout) is fresh, and every live auth server
# runs at least this proxy's release and its AMI generation.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

state=$(aws ssm get-parameter --region "${AUTH_REGION}" --name "${ROLLOUT_PARAMETER}" \
  --query Parameter.Value --output text 2>/dev/null) || exit 1
python3 - "${state}" "${TELEPORT_VERSION}" "${AMI_GENERATION}" <<'PY'
import json, sys, time
state, want, generation = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
version = lambda v: tuple(int(x) for x in v.split("."))
ok = (state.get("servers", 0) > 0 and time.time() - state.get("updated", 0) < 600
      and version(state.get("teleport", "0.0.0")) >= version(want)
      and state.get("generations") == [generation])
sys.exit(0 if ok else 1)
PY
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-fetch-cert 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Installs the cluster certificate that the auth instances publish in the
# certs bucket; Teleport re-reads the files every few minutes
# (https_keypairs_reload_interval). With --placeholder-if-missing (at boot)
# and nothing published yet, writes a self-signed placeholder, so that the
# proxy starts, passes its health checks and is not replaced.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

LIVE="s3://${CERT_BUCKET}/live/${CERT_DOMAIN}"
DIR="${ROOT}${TLS_DIR}"
NEW=$(mktemp -d)
trap 'rm -rf "${NEW}"' EXIT

fetch() {
  local f
  for f in privkey.pem fullchain.pem; do
    aws s3 cp --only-show-errors --region "${CERT_BUCKET_REGION}" "${LIVE}/${f}" "${NEW}/${f}" || return 1
  done
  openssl x509 -noout -in "${NEW}/fullchain.pem"
}

if ! fetch; then
  if [ "${1:-}" = --placeholder-if-missing ] && [ ! -e "${DIR}/fullchain.pem" ]; then
    log "no certificate published yet: serving a self-signed placeholder until the auth instances publish one"
    install -d -m 0700 "${DIR}"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=${CERT_DOMAIN}" \
      -addext "subjectAltName=DNS:${CERT_DOMAIN},DNS:*.${CERT_DOMAIN}" \
      -keyout "${DIR}/privkey.pem" -out "${DIR}/fullchain.pem" 2>/dev/null
    chmod 0600 "${DIR}/privkey.pem" "${DIR}/fullchain.pem"
    exit 0
  fi
  log "no certificate published in ${LIVE}"
  exit 1
fi
if cmp -s "${NEW}/fullchain.pem" "${DIR}/fullchain.pem" && cmp -s "${NEW}/privkey.pem" "${DIR}/privkey.pem"; then
  exit 0
fi
install -d -m 0700 "${DIR}"
install -m 0600 "${NEW}/privkey.pem" "${DIR}/privkey.pem.new"
install -m 0600 "${NEW}/fullchain.pem" "${DIR}/fullchain.pem.new"
mv -f "${DIR}/privkey.pem.new" "${DIR}/privkey.pem"
mv -f "${DIR}/fullchain.pem.new" "${DIR}/fullchain.pem"
log "installed the published certificate"
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-fetch-cert.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Fetch the Teleport cluster certificate from S3
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-fetch-cert
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-fetch-cert.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Fetch the Teleport cluster certificate from S3, every 5min

[Timer]
OnBootSec=2min
OnUnitActiveSec=5min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

exec "${R}/usr/local/bin/teleport-boot-proxy"
