#!/bin/bash
# Teleport proxy instance: writes its boot files (constructs/teleportconfig), then runs teleport-boot-proxy; log /var/log/teleport-boot.log.
# rollout: teleport=18.9.0 ami-generation=587d237a21bc
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
TELEPORT_VERSION='18.9.0'
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
CERT_DOMAIN='teleport.ledger.example.com'
CERT_BUCKET='ledger-certs-018d7f09'
CERT_BUCKET_REGION='us-east-2'
CERTBOT_STATE_KEY='certbot/teleport.ledger.example.com/state.tar.gz'
HEALTHZ_URL='http://127.0.0.1:3000/healthz'
WATCHDOG_FAILURE_SECONDS='300'
LAUNCH_HOOK='ledger-proxy-wait-for-auth'
READYZ_URL='http://127.0.0.1:3000/readyz'
READY_TIMEOUT_SECONDS='900'
TELEPORT_LOG_DIR='/var/log/teleport'
CLOUDWATCH_AGENT_CONFIG='/etc/teleport-boot/cloudwatch-agent.json'
CLOUDWATCH_AGENT_MIN_VERSION='1.247358.0'
AUTH_REGION='us-east-2'
PEER_ADDRESS_PATH='local-ipv4'
TLS_DIR='/var/lib/teleport/tls'
DRAIN_HOOK='teleport-drain'
DRAIN_TIMEOUT_SECONDS='300'
SERVED_CERTIFICATE_DAYS_METRIC='ServedCertificateDaysRemaining'
TELEPORT_BOOT_FILE

write /etc/teleport-boot/teleport.yaml 0600 <<'TELEPORT_BOOT_FILE'
version: v3
teleport:
    nodename: __NODENAME__
    data_dir: /var/lib/teleport
    auth_server: auth.ledger.teleport.internal:3025
    join_params:
        token_name: ledger-proxy-iam
        method: iam
    ca_pin: [__CA_PIN__]
    diag_addr: 0.0.0.0:3000
    log:
        output: /var/log/teleport/teleport.log
        severity: INFO
        format:
            output: text
auth_service:
    enabled: false
proxy_service:
    enabled: true
    public_addr:
        - teleport.ledger.example.com:443
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

write /etc/teleport-boot/cloudwatch-agent.json 0644 <<'TELEPORT_BOOT_FILE'
{
  "agent": {
    "region": "us-east-2",
    "run_as_user": "root"
  },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/teleport/teleport.log",
            "log_group_name": "/teleport/ledger/proxy",
            "log_stream_name": "{instance_id}/teleport",
            "timezone": "UTC"
          },
          {
            "file_path": "/var/log/teleport-boot.log",
            "log_group_name": "/teleport/ledger/proxy",
            "log_stream_name": "{instance_id}/boot",
            "timezone": "UTC"
          },
          {
            "file_path": "/var/log/teleport-jobs.log",
            "log_group_name": "/teleport/ledger/proxy",
            "log_stream_name": "{instance_id}/jobs",
            "timezone": "UTC"
          }
        ]
      }
    },
    "metrics_collected": {
      "prometheus": {
        "log_group_name": "/teleport/ledger/proxy-metrics",
        "prometheus_config_path": "/etc/teleport-boot/prometheus.yaml",
        "emf_processor": {
          "metric_namespace": "Teleport",
          "metric_declaration_dedup": true,
          "metric_unit": {
            "backend_read_requests_failed_total": "Count",
            "backend_read_requests_total": "Count",
            "backend_write_requests_failed_total": "Count",
            "backend_write_requests_total": "Count",
            "heartbeats_missed_total": "Count",
            "proxy_peer_client_connections": "Count",
            "proxy_peer_client_dial_error_total": "Count",
            "proxy_peer_server_connections": "Count",
            "proxy_ssh_sessions_total": "Count",
            "teleport_cache_health": "Count",
            "teleport_connected_resources": "Count",
            "teleport_proxy_peer_client_failed_pings_total": "Count",
            "teleport_proxy_peer_client_pings_total": "Count",
            "teleport_reverse_tunnels_connected": "Count"
          },
          "metric_declaration": [
            {
              "source_labels": [
                "job"
              ],
              "label_matcher": "^teleport$",
              "dimensions": [
                [
                  "Cluster",
                  "Role",
                  "Region"
                ]
              ],
              "metric_selectors": [
                "^teleport_reverse_tunnels_connected$",
                "^proxy_peer_client_dial_error_total$",
                "^teleport_proxy_peer_client_pings_total$",
                "^teleport_proxy_peer_client_failed_pings_total$",
                "^proxy_ssh_sessions_total$",
                "^teleport_cache_health$",
                "^backend_read_requests_failed_total$",
                "^backend_write_requests_failed_total$",
                "^backend_read_requests_total$",
                "^backend_write_requests_total$",
                "^heartbeats_missed_total$",
                "^teleport_connected_resources$"
              ]
            },
            {
              "source_labels": [
                "job"
              ],
              "label_matcher": "^teleport$",
              "dimensions": [
                [
                  "Cluster",
                  "Role",
                  "Region",
                  "state"
                ]
              ],
              "metric_selectors": [
                "^proxy_peer_client_connections$",
                "^proxy_peer_server_connections$"
              ]
            }
          ]
        }
      }
    }
  }
}
TELEPORT_BOOT_FILE

write /etc/teleport-boot/prometheus.yaml 0644 <<'TELEPORT_BOOT_FILE'
global:
    scrape_interval: 60s
    scrape_timeout: 10s
scrape_configs:
    - job_name: teleport
      metrics_path: /metrics
      sample_limit: 10000
      static_configs:
        - targets:
            - 127.0.0.1:3000
          labels:
            Cluster: ledger
            Region: us-east-2
            Role: proxy
      metric_relabel_configs:
        - source_labels:
            - __name__
          regex: teleport_reverse_tunnels_connected|proxy_peer_client_dial_error_total|teleport_proxy_peer_client_pings_total|teleport_proxy_peer_client_failed_pings_total|proxy_ssh_sessions_total|teleport_cache_health|backend_read_requests_failed_total|backend_write_requests_failed_total|backend_read_requests_total|backend_write_requests_total|heartbeats_missed_total|teleport_connected_resources|proxy_peer_client_connections|proxy_peer_server_connections
          action: keep
TELEPORT_BOOT_FILE

write /etc/logrotate.d/teleport 0644 <<'TELEPORT_BOOT_FILE'
# Rotation of the logs the CloudWatch agent ships (constructs/teleportconfig, telemetry.go).
/var/log/teleport/teleport.log /var/log/teleport-jobs.log {
    daily
    maxsize 100M
    rotate 7
    missingok
    notifempty
    compress
    delaycompress
}
/var/log/teleport-boot.log {
    weekly
    maxsize 20M
    rotate 4
    missingok
    notifempty
    copytruncate
    compress
}
TELEPORT_BOOT_FILE

write /usr/local/lib/teleport-boot/lib.sh 0644 <<'TELEPORT_BOOT_FILE'
# shellcheck shell=bash disable=SC2034 # variables here are for the scripts that source this file
ROOT="${TELEPORT_BOOT_ROOT:-}"
BOOT_ETC="${ROOT}/etc/teleport-boot"
BOOT_BIN="${ROOT}/usr/local/bin"
BOOT_STATE="${ROOT}/var/lib/teleport-boot"
IMDS="${TELEPORT_BOOT_IMDS:-http://169.254.169.254}"
# shellcheck source=/dev/null
. "${BOOT_ETC}/env"
TELEPORT_PREINSTALLED="${TELEPORT_PREINSTALLED:-false}"
JOB="$(basename "$0")"
STARTED_MARKER="${BOOT_STATE}/teleport-started"
DRAINING_MARKER="${BOOT_STATE}/draining"
log() { echo "$(date -u +%FT%TZ) ${JOB}: $*"; }
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
instance_facts() {
  INSTANCE_ID=$(imds meta-data/instance-id)
  REGION=$(imds meta-data/placement/region)
  export AWS_DEFAULT_REGION="${REGION}"
}
put_metric() {
  aws cloudwatch put-metric-data --namespace "${METRIC_NAMESPACE}" --metric-name "$1" \
    --dimensions "AutoScalingGroupName=${GROUP_NAME}" --unit "${3:-Count}" --value "$2" >/dev/null ||
    log "could not publish metric $1=$2"
}
boot_failed() {
  log "FAILED: $1: $2"
  put_metric "${BOOT_FAILURES_METRIC}" 1
  FAILURE_REPORTED=1
}
report_unexpected_exit() {
  local status=$?
  if ((status != 0)) && [ -z "${FAILURE_REPORTED:-}" ]; then
    boot_failed "${JOB}" "stopped with status ${status}; the lines above say where"
  fi
}
split_keypair() {
  awk '/-----BEGIN [A-Z ]*PRIVATE KEY-----/ {k = 1} k {print} /-----END [A-Z ]*PRIVATE KEY-----/ {k = 0}' "$1" >"$2"
  awk '/-----BEGIN CERTIFICATE-----/ {c = 1} c {print} /-----END CERTIFICATE-----/ {c = 0}' "$1" >"$3"
}
keypair_matches() {
  local key cert
  key=$(openssl pkey -in "$1" -pubout 2>/dev/null) && cert=$(openssl x509 -in "$2" -noout -pubkey 2>/dev/null) &&
    [ -n "${key}" ] && [ "${key}" = "${cert}" ]
}
days_left() {
  local end
  end=$(openssl x509 -enddate -noout -in "$1" | cut -d= -f2)
  echo $((($(date -d "${end}" +%s) - $(date +%s)) / 86400))
}
retry() {
  local attempts=$1 attempt
  shift
  for ((attempt = 1; ; attempt++)); do
    if "$@"; then return 0; fi
    if ((attempt >= attempts)); then return 1; fi
    sleep $((attempt * 10))
  done
}
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
launch_heartbeat() {
  aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name "${GROUP_NAME}" \
    --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" >/dev/null 2>&1 || true
}
complete_launch() {
  aws autoscaling complete-lifecycle-action --auto-scaling-group-name "${GROUP_NAME}" \
    --lifecycle-hook-name "${LAUNCH_HOOK}" --instance-id "${INSTANCE_ID}" \
    --lifecycle-action-result "$1" || log "no lifecycle action to complete ($1)"
}
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
teleport_installed() { command -v tctl >/dev/null; }
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-install 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
preinstalled() {
  [ "${TELEPORT_PREINSTALLED}" = true ] || return 1
  local want="Teleport v${TELEPORT_VERSION} "
  if [ "${TELEPORT_EDITION}" = enterprise ]; then want="Teleport Enterprise v${TELEPORT_VERSION} "; fi
  case "$(teleport version 2>/dev/null)" in
  "${want}"*) return 0 ;;
  esac
  return 1
}
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
  package=teleport
  if [ "${TELEPORT_EDITION}" = enterprise ]; then package=teleport-ent; fi
  hold() { dnf install -y -q python3-dnf-plugin-versionlock && dnf versionlock add "${package}-${TELEPORT_VERSION}"; }
  if retry 3 hold; then
    log "holding ${package} at ${TELEPORT_VERSION} (dnf versionlock)"
  else
    boot_failed versionlock "could not hold ${package} at ${TELEPORT_VERSION}: host patching could upgrade it"
  fi
fi
install -d -m 0700 "${ROOT}${DATA_DIR}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-configure 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
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
  config=${config//"${placeholder}"/"${value}"}
done
if left=$(grep -o '__[A-Z_]*__' <<<"${config}"); then
  log "placeholders left in teleport.yaml: ${left//$'\n'/ }"
  exit 1
fi
install -d -m 0750 "${ROOT}${TELEPORT_LOG_DIR}"
umask 077
printf '%s\n' "${config}" >"${ROOT}${CONFIG_PATH}.new"
mv -f "${ROOT}${CONFIG_PATH}.new" "${ROOT}${CONFIG_PATH}"
log "wrote ${CONFIG_PATH}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-telemetry 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
AGENT_PACKAGE=amazon-cloudwatch-agent
AGENT_CTL="${ROOT}/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"
install_agent() {
  dnf install -y -q "${AGENT_PACKAGE}" logrotate python3-dnf-plugin-versionlock
}
at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
if ! retry 3 install_agent; then
  log "WARNING: could not install ${AGENT_PACKAGE}: this instance ships no logs and no metrics"
  exit 1
fi
version=$(rpm -q --queryformat '%{VERSION}' "${AGENT_PACKAGE}")
if ! at_least "${version}" "${CLOUDWATCH_AGENT_MIN_VERSION}"; then
  log "WARNING: ${AGENT_PACKAGE} ${version} is older than ${CLOUDWATCH_AGENT_MIN_VERSION}: not started (use a newer image)"
  exit 1
fi
dnf versionlock add "${AGENT_PACKAGE}-${version}" >/dev/null ||
  log "WARNING: could not hold ${AGENT_PACKAGE} at ${version}"
systemctl enable --now logrotate.timer || log "WARNING: logrotate.timer not enabled: the shipped logs are not rotated"
if ! "${AGENT_CTL}" -a fetch-config -m ec2 -s -c "file:${ROOT}${CLOUDWATCH_AGENT_CONFIG}"; then
  log "WARNING: the CloudWatch agent refused ${CLOUDWATCH_AGENT_CONFIG} or did not start"
  exit 1
fi
log "shipping logs and metrics with ${AGENT_PACKAGE} ${version}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-boot-proxy 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
log "start: Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}), AMI generation ${AMI_GENERATION}"
trap report_unexpected_exit EXIT
TIMERS=(teleport-fetch-cert teleport-watchdog teleport-drain)
systemctl daemon-reload
for timer in "${TIMERS[@]}"; do systemctl enable --now "${timer}.timer"; done
if ! instance_facts; then
  boot_failed metadata "the instance metadata service does not answer"
  exit 1
fi
placeholders=("__NODENAME__=${INSTANCE_ID}")
if [ -n "${PEER_ADDRESS_PATH}" ]; then
  PEER_HOST=$(imds "meta-data/${PEER_ADDRESS_PATH}")
  placeholders+=("__PEER_HOST__=${PEER_HOST}")
fi
WAIT_HOOK=launch_heartbeat
"${BOOT_BIN}/teleport-telemetry" || log "WARNING: this instance ships no logs or metrics (the lines above say why)"
"${BOOT_BIN}/teleport-install" || { FAILURE_REPORTED=1 && exit 1; }
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
wait_for "a certificate to serve (the lines above say why not yet)" 30 "${BOOT_BIN}/teleport-fetch-cert" --placeholder-if-missing
wait_for "every auth server to run Teleport ${TELEPORT_VERSION} or newer" 60 \
  "${BOOT_BIN}/teleport-launch-gate"
systemctl enable teleport
systemctl restart teleport
mkdir -p "${BOOT_STATE}"
touch "${STARTED_MARKER}"
admit_when_ready || exit 1
log "done"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-launch-gate 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
state=$(aws ssm get-parameter --region "${AUTH_REGION}" --name "${ROLLOUT_PARAMETER}" \
  --query Parameter.Value --output text 2>/dev/null) || exit 1
python3 - "${state}" "${TELEPORT_VERSION}" <<'PY'
import json, sys, time
state, want = json.loads(sys.argv[1]), sys.argv[2]
version = lambda v: tuple(int(x) for x in v.split("."))
ok = (state.get("servers", 0) > 0 and time.time() - state.get("updated", 0) < 600
      and version(state.get("teleport", "0.0.0")) >= version(want))
sys.exit(0 if ok else 1)
PY
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-fetch-cert 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
PREFIX="live/${CERT_DOMAIN}/"
LIVE="s3://${CERT_BUCKET}/${PREFIX%/}"
DIR="${ROOT}${TLS_DIR}"
PLACEHOLDER="${BOOT_STATE}/serving-placeholder"
NEW=$(mktemp -d)
trap 'rm -rf "${NEW}"' EXIT
get() { aws s3 cp --only-show-errors --region "${CERT_BUCKET_REGION}" "${LIVE}/$1" "$2" 2>"${NEW}/$1.error"; }
listed() {
  local keys
  if ! keys=$(aws s3api list-objects-v2 --region "${CERT_BUCKET_REGION}" --bucket "${CERT_BUCKET}" --prefix "$1" \
    --query 'Contents[].Key' --output text 2>"${NEW}/list-error"); then
    return 2
  fi
  [ -n "${keys}" ] && [ "${keys}" != None ]
}
first_line() { head -n 1 "$1" 2>/dev/null || true; }
fetch() {
  if get keypair.pem "${NEW}/keypair.pem"; then
    split_keypair "${NEW}/keypair.pem" "${NEW}/privkey.pem" "${NEW}/fullchain.pem"
  elif ! get privkey.pem "${NEW}/privkey.pem" || ! get fullchain.pem "${NEW}/fullchain.pem"; then
    log "cannot read the certificate in ${LIVE}: $(first_line "${NEW}/keypair.pem.error")"
    return 1
  fi
  if ! openssl x509 -noout -in "${NEW}/fullchain.pem" 2>/dev/null || ! keypair_matches "${NEW}/privkey.pem" "${NEW}/fullchain.pem"; then
    log "the published key and certificate do not match: keeping what this proxy serves"
    return 1
  fi
}
never_published() {
  local status=0
  listed "${PREFIX}" || status=$?
  case "${status}" in
  0)
    log "a certificate is published in ${LIVE} but this proxy cannot use it: waiting"
    return 1
    ;;
  2)
    log "cannot list ${LIVE}, so nothing says that no certificate is published: waiting ($(first_line "${NEW}/list-error"))"
    return 1
    ;;
  esac
  status=0
  listed "${CERTBOT_STATE_KEY}" || status=$?
  case "${status}" in
  0)
    log "a certificate was issued (s3://${CERT_BUCKET}/${CERTBOT_STATE_KEY} exists) but none is published: waiting for the auth instances to publish it"
    return 1
    ;;
  2)
    log "cannot tell whether a certificate was ever issued: waiting ($(first_line "${NEW}/list-error"))"
    return 1
    ;;
  esac
}
placeholder() {
  log "serving a self-signed placeholder until the auth instances publish the first certificate"
  install -d -m 0700 "${DIR}"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/O=Teleport placeholder" \
    -addext "subjectAltName=DNS:${CERT_DOMAIN},DNS:*.${CERT_DOMAIN}" \
    -keyout "${DIR}/privkey.pem" -out "${DIR}/fullchain.pem" 2>"${NEW}/openssl-error" || {
    log "could not make the placeholder: $(cat "${NEW}/openssl-error")"
    return 1
  }
  chmod 0600 "${DIR}/privkey.pem" "${DIR}/fullchain.pem"
  mkdir -p "${BOOT_STATE}"
  date +%s >"${PLACEHOLDER}"
}
report() {
  local days=0
  if [ -e "${PLACEHOLDER}" ]; then
    put_metric "${BOOT_WAIT_METRIC}" "$(($(date +%s) - $(cat "${PLACEHOLDER}")))" Seconds
  elif [ -e "${DIR}/fullchain.pem" ]; then
    days=$(days_left "${DIR}/fullchain.pem")
  fi
  put_metric "${SERVED_CERTIFICATE_DAYS_METRIC}" "${days}"
}
status=0
if fetch; then
  if ! cmp -s "${NEW}/fullchain.pem" "${DIR}/fullchain.pem" || ! cmp -s "${NEW}/privkey.pem" "${DIR}/privkey.pem"; then
    install -d -m 0700 "${DIR}"
    install -m 0600 "${NEW}/privkey.pem" "${DIR}/privkey.pem.new"
    install -m 0600 "${NEW}/fullchain.pem" "${DIR}/fullchain.pem.new"
    mv -f "${DIR}/privkey.pem.new" "${DIR}/privkey.pem"
    mv -f "${DIR}/fullchain.pem.new" "${DIR}/fullchain.pem"
    log "installed the published certificate"
  fi
  rm -f "${PLACEHOLDER}"
elif [ "${1:-}" = --placeholder-if-missing ]; then
  if [ -e "${DIR}/fullchain.pem" ] && [ ! -e "${PLACEHOLDER}" ]; then
    :
  elif ! never_published; then
    status=1
  elif [ ! -e "${PLACEHOLDER}" ] && ! placeholder; then
    status=1
  fi
else
  status=1
fi
report
exit "${status}"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-watchdog 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
SINCE="${BOOT_STATE}/healthz-failing-since"
if [ ! -e "${STARTED_MARKER}" ] || [ -e "${DRAINING_MARKER}" ]; then
  rm -f "${SINCE}"
  exit 0
fi
if curl -fsS --max-time 5 "${HEALTHZ_URL}" >/dev/null 2>&1; then
  if [ -e "${SINCE}" ]; then log "Teleport's /healthz answers again"; fi
  rm -f "${SINCE}"
  exit 0
fi
now=$(date +%s)
if [ ! -e "${SINCE}" ]; then
  echo "${now}" >"${SINCE}"
  log "Teleport's /healthz does not answer; the instance marks itself Unhealthy if it still fails in ${WATCHDOG_FAILURE_SECONDS} s"
  exit 0
fi
failing=$((now - $(cat "${SINCE}")))
if ((failing < WATCHDOG_FAILURE_SECONDS)); then
  log "Teleport's /healthz has failed for ${failing} s"
  exit 0
fi
instance_facts
log "Teleport's /healthz has failed for ${failing} s: marking ${INSTANCE_ID} Unhealthy in ${GROUP_NAME}"
aws autoscaling set-instance-health --instance-id "${INSTANCE_ID}" --health-status Unhealthy
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-drain 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
DONE="${BOOT_STATE}/drained"
state=$(imds meta-data/autoscaling/target-lifecycle-state 2>/dev/null) || exit 0
if [ "${state}" != Terminated ] || [ -e "${DONE}" ]; then exit 0; fi
instance_facts
mkdir -p "${BOOT_STATE}"
touch "${DRAINING_MARKER}"
log "termination pending: draining Teleport (at most ${DRAIN_TIMEOUT_SECONDS} s)"
if systemctl is-active --quiet teleport; then
  dropin="${ROOT}/run/systemd/system/teleport.service.d"
  mkdir -p "${dropin}"
  printf '[Service]\nRestart=no\n' >"${dropin}/50-drain.conf"
  systemctl daemon-reload
  systemctl kill --kill-who=main --signal=SIGQUIT teleport
  deadline=$(($(date +%s) + DRAIN_TIMEOUT_SECONDS))
  while systemctl is-active --quiet teleport; do
    if (($(date +%s) >= deadline)); then
      log "sessions still open after ${DRAIN_TIMEOUT_SECONDS} s: stopping Teleport"
      systemctl stop teleport
      break
    fi
    sleep 5
  done
fi
if aws autoscaling complete-lifecycle-action --lifecycle-action-result CONTINUE \
  --lifecycle-hook-name "${DRAIN_HOOK}" --auto-scaling-group-name "${GROUP_NAME}" --instance-id "${INSTANCE_ID}"; then
  touch "${DONE}"
  log "drained; termination continues"
else
  log "could not complete the lifecycle action ${DRAIN_HOOK}; the hook's timeout continues the termination"
fi
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-fetch-cert.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Fetch the Teleport cluster certificate from S3
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
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

write /etc/systemd/system/teleport-watchdog.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Mark this instance Unhealthy when Teleport's /healthz fails for long
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
Type=oneshot
ExecStart=/usr/local/bin/teleport-watchdog
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-watchdog.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Check Teleport's /healthz, every 30s
[Timer]
OnBootSec=1min
OnUnitActiveSec=30s
AccuracySec=5s
[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-drain.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Drain Teleport when the instance is about to be terminated
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
Type=oneshot
ExecStart=/usr/local/bin/teleport-drain
TimeoutStartSec=15min
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-drain.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Look for a pending termination, every 10s
[Timer]
OnBootSec=30s
OnUnitActiveSec=10s
AccuracySec=1s
[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

exec "${R}/usr/local/bin/teleport-boot-proxy"
