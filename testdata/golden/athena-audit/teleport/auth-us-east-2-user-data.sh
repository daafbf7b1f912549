#!/bin/bash
# User data of a Teleport auth instance, rendered by this repository's
# constructs/teleportconfig package (gzip-compressed in the launch template).
# It only writes files: this role's settings (env), teleport.yaml with
# placeholders filled at boot, and the boot scripts and timers, which are
# static files of the repository (constructs/teleportconfig/scripts). Then it
# runs teleport-boot-auth. Output goes to /var/log/teleport-boot.log.
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
ROLE='auth'
TELEPORT_VERSION='17.7.16'
TELEPORT_EDITION='enterprise'
AMI_GENERATION='587d237a21bc'
GROUP_NAME='ledger-auth'
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
SESSIONS_KEY_TAG='TeleportSessionsKey'
LICENSE_PARAMETER='/teleport/ledger/license'
LICENSE_PATH='/var/lib/teleport/license.pem'
LOCKS_TABLE='ledger-locks'
ACME_EMAIL='ops@ledger.example'
ACME_STAGING='false'
CERTBOT_VERSION='4.1.1'
CERTIFICATE_DAYS_METRIC='CertificateDaysRemaining'
TELEPORT_BOOT_FILE

write /etc/teleport-boot/teleport.yaml 0600 <<'TELEPORT_BOOT_FILE'
version: v3
teleport:
    nodename: __NODENAME__
    data_dir: /var/lib/teleport
    diag_addr: 0.0.0.0:3000
    log:
        output: stderr
        severity: INFO
        format:
            output: text
    storage:
        type: dynamodb
        region: us-east-2
        table_name: ledger-state
        audit_events_uri:
            - athena://ledger_audit.events?topicArn=arn:aws:sns:us-east-2:__ACCOUNT_ID__:ledger-audit-events&largeEventsS3=s3://ledger-audit-large-02e82c00/large_payloads&locationS3=s3://ledger-audit-events-02e82c00/events&workgroup=ledger-audit&queueURL=https://sqs.us-east-2.amazonaws.com/__ACCOUNT_ID__/ledger-audit-events
        audit_sessions_uri: s3://ledger-recordings-02e82c00/records?region=us-east-2&sse_kms_key=__SESSIONS_KMS_KEY__
auth_service:
    enabled: true
    cluster_name: teleport.ledger.example
    listen_addr: 0.0.0.0:3025
    proxy_listener_mode: multiplex
    tunnel_strategy:
        type: proxy_peering
        agent_connection_count: 2
    license_file: /var/lib/teleport/license.pem
proxy_service:
    enabled: false
ssh_service:
    enabled: false
TELEPORT_BOOT_FILE

write /etc/teleport-boot/proxy-token.yaml 0644 <<'TELEPORT_BOOT_FILE'
kind: token
version: v2
metadata:
    name: ledger-proxy-iam
spec:
    roles:
        - Proxy
    join_method: iam
    allow:
        - aws_account: "__ACCOUNT_ID__"
          aws_arn: arn:aws:sts::__ACCOUNT_ID__:assumed-role/ledger-proxy-*/i-*
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

write /usr/local/bin/teleport-boot-auth 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# First boot of an Auth Service instance: timers first, then Teleport.
#
# The timers are enabled before anything that can fail, so that what a boot
# cannot finish (CA pin, join token, rollout state, certificate) is retried
# by them; a step that gives up for good says so in the log and as the
# BootFailures metric.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

log "start: Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}), AMI generation ${AMI_GENERATION}"
TIMERS=(teleport-publish-ca-pin teleport-join-token teleport-publish-rollout teleport-renew-cert)
systemctl daemon-reload
for timer in "${TIMERS[@]}"; do systemctl enable --now "${timer}.timer"; done

if ! instance_facts; then
  boot_failed metadata "the instance metadata service does not answer"
  exit 1
fi
if ! SESSIONS_KEY=$(imds "meta-data/tags/instance/${SESSIONS_KEY_TAG}"); then
  boot_failed metadata "no ${SESSIONS_KEY_TAG} instance tag"
  exit 1
fi
"${BOOT_BIN}/teleport-install"

# The Enterprise license, a SecureString in SSM Parameter Store. Waits until
# it can be read, saying why it cannot.
license_error=""
fetch_license() {
  local err
  if aws ssm get-parameter --name "${LICENSE_PARAMETER}" --with-decryption \
    --query Parameter.Value --output text >"${ROOT}${LICENSE_PATH}.new" 2>"${ROOT}${LICENSE_PATH}.err"; then
    chmod 0600 "${ROOT}${LICENSE_PATH}.new"
    mv -f "${ROOT}${LICENSE_PATH}.new" "${ROOT}${LICENSE_PATH}"
    rm -f "${ROOT}${LICENSE_PATH}.err"
    return 0
  fi
  err=$(tr '\n' ' ' <"${ROOT}${LICENSE_PATH}.err")
  if [ "${err}" != "${license_error}" ]; then
    license_error=${err}
    case "${err}" in
    *ParameterNotFound*)
      log "the license parameter ${LICENSE_PARAMETER} does not exist: put the Enterprise license there (SecureString)" ;;
    *AccessDenied* | *KMS* | *Kms*)
      log "cannot read or decrypt the license parameter ${LICENSE_PARAMETER}: ${err}"
      log "if it is encrypted with a customer managed KMS key, set license_kms_key_arn to that key's ARN (the auth role then may decrypt it through SSM)" ;;
    *)
      log "cannot read the license parameter ${LICENSE_PARAMETER}: ${err}" ;;
    esac
  fi
  return 1
}
if [ -n "${LICENSE_PARAMETER}" ]; then
  mkdir -p "$(dirname "${ROOT}${LICENSE_PATH}")"
  wait_for "the Enterprise license in ${LICENSE_PARAMETER}" 30 fetch_license
fi

SUBSTITUTIONS=("__NODENAME__=${INSTANCE_ID}" "__SESSIONS_KMS_KEY__=${SESSIONS_KEY}")
# Settings that name the account's resources (the Athena audit backend's
# topic and queue) carry the account id, from the identity document.
if grep -q "__ACCOUNT_ID__" "${BOOT_ETC}/teleport.yaml"; then
  ACCOUNT_ID=$(imds dynamic/instance-identity/document | python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])') || ACCOUNT_ID=""
  SUBSTITUTIONS+=("__ACCOUNT_ID__=${ACCOUNT_ID}")
fi
if ! "${BOOT_BIN}/teleport-configure" "${SUBSTITUTIONS[@]}"; then
  boot_failed configure "could not write ${CONFIG_PATH}"
  exit 1
fi
systemctl enable teleport
systemctl restart teleport
mkdir -p "${BOOT_STATE}"
touch "${STARTED_MARKER}"
# Run the jobs now rather than at their next timer tick: the proxies wait
# for the join token and the CA pin.
for timer in "${TIMERS[@]}"; do systemctl start --no-block "${timer}.service"; done
log "done"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-publish-ca-pin 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Publishes the cluster CA pin to SSM (SecureString under the cluster key).
# Proxies set teleport.ca_pin from it, so that they trust only this
# cluster's CA when they join. Run every 15 minutes: after a CA rotation new
# proxies pin the new CA.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

if ! teleport_installed || [ ! -e "${STARTED_MARKER}" ]; then
  log "Teleport is not started yet; the boot runs this job when it is"
  exit 0
fi
instance_facts
key=$(imds "meta-data/tags/instance/${SESSIONS_KEY_TAG}")
pins=$(tctl status | awk '$1 == "CA" && $2 == "pin" {print $3}' | paste -sd, -)
case "${pins}" in
sha256:*) ;;
*)
  log "tctl status shows no CA pin"
  exit 1
  ;;
esac
current=$(aws ssm get-parameter --name "${CA_PIN_PARAMETER}" --with-decryption \
  --query Parameter.Value --output text 2>/dev/null || true)
if [ "${current}" != "${pins}" ]; then
  aws ssm put-parameter --name "${CA_PIN_PARAMETER}" --overwrite \
    --type SecureString --key-id "${key}" --value "${pins}" >/dev/null
  log "published CA pin ${pins}"
fi
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-join-token 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Creates (or refreshes) the proxies' IAM join token: Teleport checks a
# joining proxy's signed sts:GetCallerIdentity against its rules, so proxies
# join without a shared secret. Idempotent (tctl create -f); run by a timer
# so that a transient failure at first boot is retried.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

if ! teleport_installed || [ ! -e "${STARTED_MARKER}" ]; then
  log "Teleport is not started yet; the boot runs this job when it is"
  exit 0
fi
DONE="${BOOT_STATE}/join-token-created"
account=$(imds dynamic/instance-identity/document | python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])')
token=$(mktemp)
trap 'rm -f "${token}"' EXIT
sed "s|__ACCOUNT_ID__|${account}|g" "${BOOT_ETC}/proxy-token.yaml" >"${token}"

create() { tctl status >/dev/null 2>&1 && tctl create -f "${token}"; }
if ! retry 6 create; then
  if [ ! -e "${DONE}" ]; then
    boot_failed join-token "tctl could not create the proxies' join token; the timer retries"
  fi
  exit 1
fi
touch "${DONE}"
log "join token is in place"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-publish-rollout 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# Rollout state, which holds new proxies back. Every minute, while Teleport
# answers, this auth server records its release and AMI generation in the
# locks table (an item that expires in 5 minutes), and publishes what all
# live auth servers run: the oldest release and the set of AMI generations.
# New proxies wait in their launch lifecycle hook until the auth servers run
# at least their release (teleport-launch-gate): Teleport upgrades the Auth
# Service before the proxies.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

instance_facts
now=$(date +%s)
if teleport_installed && tctl status >/dev/null 2>&1; then
  aws dynamodb put-item --table-name "${LOCKS_TABLE}" --item \
    "{\"Lock\":{\"S\":\"auth-server/${INSTANCE_ID}\"},\"Teleport\":{\"S\":\"${TELEPORT_VERSION}\"},\"Generation\":{\"S\":\"${AMI_GENERATION}\"},\"Expires\":{\"N\":\"$((now + 300))\"}}"
fi
items=$(mktemp)
trap 'rm -f "${items}"' EXIT
aws dynamodb scan --table-name "${LOCKS_TABLE}" --output json \
  --filter-expression "begins_with(#lock, :prefix) AND #expires > :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":prefix\":{\"S\":\"auth-server/\"},\":now\":{\"N\":\"${now}\"}}" >"${items}"
state=$(python3 - "${items}" "${now}" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["Items"]
versions = [tuple(int(x) for x in i["Teleport"]["S"].split(".")) for i in items]
state = {"servers": len(items), "updated": int(sys.argv[2])}
if versions:
    state["teleport"] = ".".join(str(x) for x in min(versions))
    state["generations"] = sorted({i["Generation"]["S"] for i in items})
print(json.dumps(state, sort_keys=True, separators=(",", ":")))
PY
)
aws ssm put-parameter --name "${ROLLOUT_PARAMETER}" --type String --overwrite --value "${state}" >/dev/null
log "published rollout state ${state}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-renew-cert 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
# TLS certificate: Let's Encrypt with the DNS-01 challenge. Teleport's
# built-in ACME (TLS-ALPN-01) cannot work behind several regional load
# balancers, so the auth instances obtain the certificate for the domain and
# its wildcard with certbot's Route 53 plugin and publish it, encrypted, to
# the certs bucket, where every proxy fetches it. Run by a timer every 15
# minutes until a certificate valid for 30 more days is published: nothing
# here can stall a boot.
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"

LIVE="s3://${CERT_BUCKET}/live/${CERT_DOMAIN}"
CERTBOT="${ROOT}/opt/certbot"
WORK=$(mktemp -d)
trap 'rm -rf "${WORK}"' EXIT

days_left() {
  local end
  end=$(openssl x509 -enddate -noout -in "$1" | cut -d= -f2)
  echo $((($(date -d "${end}" +%s) - $(date +%s)) / 86400))
}
certificate_metric() {
  aws cloudwatch put-metric-data --namespace "${METRIC_NAMESPACE}" --metric-name "${CERTIFICATE_DAYS_METRIC}" \
    --dimensions "Domain=${CERT_DOMAIN}" --unit Count --value "$1" >/dev/null || log "could not publish the certificate metric"
}

# Report the published certificate's remaining validity (0 without one):
# the certificate alarm fires below 14 days, or when reports stop.
days=0
if aws s3 cp --only-show-errors "${LIVE}/fullchain.pem" "${WORK}/current.pem" 2>/dev/null; then
  days=$(days_left "${WORK}/current.pem")
fi
certificate_metric "${days}"
if [ "${days}" -gt 30 ]; then
  log "certificate for ${CERT_DOMAIN} is valid for ${days} more days"
  exit 0
fi

# Pinned: hosts booted months apart run the same certbot. Retried with
# back-off; a failure here is retried by the next run of the timer.
if ! "${CERTBOT}/bin/certbot" --version 2>/dev/null | grep -qx "certbot ${CERTBOT_VERSION}"; then
  rm -rf "${CERTBOT}"
  python3 -m venv "${CERTBOT}"
  install_certbot() {
    "${CERTBOT}/bin/pip" install --quiet --disable-pip-version-check \
      "certbot==${CERTBOT_VERSION}" "certbot-dns-route53==${CERTBOT_VERSION}" "acme==${CERTBOT_VERSION}"
  }
  if ! retry 5 install_certbot; then
    log "certbot install failed; the timer retries"
    exit 1
  fi
fi

# One auth instance at a time, and at most one attempt every 20 minutes
# across all of them: a failed run keeps the lock until it expires, which
# stays under Let's Encrypt's limit of 5 failed validations per hostname per
# hour. A successful run releases it.
now=$(date +%s)
if ! aws dynamodb put-item --table-name "${LOCKS_TABLE}" \
  --item "{\"Lock\":{\"S\":\"certbot\"},\"Owner\":{\"S\":\"$(hostname)\"},\"Expires\":{\"N\":\"$((now + 1200))\"}}" \
  --condition-expression "attribute_not_exists(#lock) OR #expires < :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":now\":{\"N\":\"${now}\"}}" >/dev/null 2>&1; then
  log "another auth instance holds the renewal lock, or the last attempt failed less than 20 minutes ago"
  exit 0
fi
staging=()
if [ "${ACME_STAGING}" = true ]; then staging=(--staging); fi
"${CERTBOT}/bin/certbot" certonly --non-interactive --agree-tos \
  --email "${ACME_EMAIL}" --dns-route53 "${staging[@]}" \
  --config-dir "${WORK}/config" --work-dir "${WORK}/work" --logs-dir "${ROOT}/var/log/letsencrypt" \
  --cert-name teleport -d "${CERT_DOMAIN}" -d "*.${CERT_DOMAIN}"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/privkey.pem" "${LIVE}/privkey.pem"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/fullchain.pem" "${LIVE}/fullchain.pem"
aws dynamodb delete-item --table-name "${LOCKS_TABLE}" --key '{"Lock":{"S":"certbot"}}' || true
certificate_metric "$(days_left "${WORK}/config/live/teleport/fullchain.pem")"
log "published a new certificate for ${CERT_DOMAIN}"
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-ca-pin.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport cluster CA pin to SSM
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-publish-ca-pin
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-ca-pin.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport cluster CA pin to SSM, every 15min

[Timer]
OnBootSec=30s
OnUnitActiveSec=15min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-join-token.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Create the Teleport proxies' IAM join token
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-join-token
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-join-token.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Create the Teleport proxies' IAM join token, every 15min

[Timer]
OnBootSec=1min
OnUnitActiveSec=15min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-rollout.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport auth servers' rollout state
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-publish-rollout
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-rollout.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport auth servers' rollout state, every 1min

[Timer]
OnBootSec=30s
OnUnitActiveSec=1min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-renew-cert.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Issue or renew the Teleport cluster certificate (Let's Encrypt DNS-01)
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-renew-cert
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-renew-cert.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Issue or renew the Teleport cluster certificate (Let's Encrypt DNS-01), every 15min

[Timer]
OnBootSec=1min
OnUnitActiveSec=15min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

exec "${R}/usr/local/bin/teleport-boot-auth"
