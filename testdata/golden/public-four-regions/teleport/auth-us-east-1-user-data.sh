#!/bin/bash
# Teleport auth instance: writes its boot files (constructs/teleportconfig), then runs teleport-boot-auth; log /var/log/teleport-boot.log.
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
ROLE='auth'
TELEPORT_VERSION='18.9.0'
TELEPORT_EDITION='enterprise'
AMI_GENERATION='587d237a21bc'
GROUP_NAME='globex-auth'
CONFIG_PATH='/etc/teleport.yaml'
DATA_DIR='/var/lib/teleport'
METRIC_NAMESPACE='Teleport'
BOOT_WAIT_METRIC='BootWaitSeconds'
BOOT_FAILURES_METRIC='BootFailures'
CA_PIN_PARAMETER='/teleport/globex/ca-pin'
ROLLOUT_PARAMETER='/teleport/globex/auth-rollout'
CERT_DOMAIN='access.globex.example.com'
CERT_BUCKET='globex-certs-3fe63163'
CERT_BUCKET_REGION='us-east-1'
CERTBOT_STATE_KEY='certbot/access.globex.example.com/state.tar.gz'
HEALTHZ_URL='http://127.0.0.1:3000/healthz'
WATCHDOG_FAILURE_SECONDS='300'
LAUNCH_HOOK='globex-auth-wait-for-ready'
READYZ_URL='http://127.0.0.1:3000/readyz'
READY_TIMEOUT_SECONDS='900'
TELEPORT_LOG_DIR='/var/log/teleport'
CLOUDWATCH_AGENT_CONFIG='/etc/teleport-boot/cloudwatch-agent.json'
CLOUDWATCH_AGENT_MIN_VERSION='1.247358.0'
SESSIONS_KEY_TAG='TeleportSessionsKey'
LICENSE_PARAMETER='/teleport/globex/license'
LICENSE_PATH='/var/lib/teleport/license.pem'
PROXY_ROLES_PATH='/teleport/globex/proxy-roles'
PROXY_ROLE_PREFIX='globex-proxy-'
LOCKS_TABLE='globex-locks'
ACME_EMAIL='ops@globex.example.com'
ACME_STAGING='true'
CERTBOT_VERSION='4.1.1'
CERTIFICATE_DAYS_METRIC='CertificateDaysRemaining'
CERTBOT_LOCK_COMPLETE='false'
TELEPORT_BOOT_FILE

write /etc/teleport-boot/teleport.yaml 0600 <<'TELEPORT_BOOT_FILE'
version: v3
teleport:
    nodename: __NODENAME__
    data_dir: /var/lib/teleport
    diag_addr: 0.0.0.0:3000
    log:
        output: /var/log/teleport/teleport.log
        severity: INFO
        format:
            output: text
    storage:
        type: dynamodb
        region: us-east-1
        table_name: globex-state
        audit_events_uri:
            - dynamodb://globex-events
        audit_sessions_uri: s3://globex-recordings-3fe63163/records?region=us-east-1&sse_kms_key=__SESSIONS_KMS_KEY__
auth_service:
    enabled: true
    cluster_name: access.globex.example.com
    listen_addr: 0.0.0.0:3025
    proxy_protocol: "off"
    proxy_listener_mode: multiplex
    tunnel_strategy:
        type: proxy_peering
        agent_connection_count: 3
    license_file: /var/lib/teleport/license.pem
proxy_service:
    enabled: false
ssh_service:
    enabled: false
TELEPORT_BOOT_FILE

write /etc/teleport-boot/cloudwatch-agent.json 0644 <<'TELEPORT_BOOT_FILE'
{
  "agent": {
    "region": "us-east-1",
    "run_as_user": "root"
  },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/teleport/teleport.log",
            "log_group_name": "/teleport/globex/auth",
            "log_stream_name": "{instance_id}/teleport",
            "timezone": "UTC"
          },
          {
            "file_path": "/var/log/teleport-boot.log",
            "log_group_name": "/teleport/globex/auth",
            "log_stream_name": "{instance_id}/boot",
            "timezone": "UTC"
          },
          {
            "file_path": "/var/log/teleport-jobs.log",
            "log_group_name": "/teleport/globex/auth",
            "log_stream_name": "{instance_id}/jobs",
            "timezone": "UTC"
          }
        ]
      }
    },
    "metrics_collected": {
      "prometheus": {
        "log_group_name": "/teleport/globex/auth-metrics",
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
            Cluster: globex
            Region: us-east-1
            Role: auth
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

write /etc/teleport-boot/proxy-token.json 0644 <<'TELEPORT_BOOT_FILE'
{
  "kind": "token",
  "version": "v2",
  "metadata": {
    "name": "globex-proxy-iam"
  },
  "spec": {
    "roles": [
      "Proxy"
    ],
    "join_method": "iam",
    "allow": []
  }
}
TELEPORT_BOOT_FILE

write /etc/teleport-boot/certbot-requirements.txt 0644 <<'TELEPORT_BOOT_FILE'
--no-binary certbot,acme,configargparse,configobj,distro,josepy,parsedatetime,pyopenssl,pyrfc3339,pytz,requests,idna,charset-normalizer
certbot==4.1.1 --hash=sha256:d1fdde3174bcf1d68f7a8dca070341acec28b78ef92ad2dd18b8d49959e96779
acme==4.1.1 --hash=sha256:0ffaaf6d3f41ff05772fd2b6170cf0b2b139f5134d7a70ee49f6e63ca20e8f9a
charset-normalizer==3.4.2 --hash=sha256:5baececa9ecba31eff645232d59845c07aa030f0c81ee70184a90d35099a0e63
configargparse==1.7.1 --hash=sha256:79c2ddae836a1e5914b71d58e4b9adbd9f7779d4e6351a637b7d2d9b6c46d3d9
configobj==5.0.9 --hash=sha256:03c881bbf23aa07bccf1b837005975993c4ab4427ba57f959afdd9d1a2386848
distro==1.9.0 --hash=sha256:2fa77c6fd8940f116ee1d6b94a2f90b13b5ea8d019b98bc8bafdcabcdd9bdbed
idna==3.10 --hash=sha256:12f65c9b470abda6dc35cf8e63cc574b1c52b11df2c86030af0ac09b01b13ea9
josepy==2.0.0 --hash=sha256:e7d7acd2fe77435cda76092abe4950bb47b597243a8fb733088615fa6de9ec40
parsedatetime==2.6 --hash=sha256:4cb368fbb18a0b7231f4d76119165451c8d2e35951455dfee97c62a87b04d455
pyopenssl==25.1.0 --hash=sha256:8d031884482e0c67ee92bf9a4d8cceb08d92aba7136432ffb0703c5280fc205b
pyrfc3339==2.0.1 --hash=sha256:e47843379ea35c1296c3b6c67a948a1a490ae0584edfcbdea0eaffb5dd29960b
pytz==2025.2 --hash=sha256:360b9e3dbb49a209c21ad61809c7fb453643e048b38924c765813546746e81c3
requests==2.32.4 --hash=sha256:27d0316682c8a29834d3264820024b62a36942083d52caf2f14c0591336d3422
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

write /usr/local/bin/teleport-boot-auth 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
log "start: Teleport ${TELEPORT_VERSION} (${TELEPORT_EDITION}), AMI generation ${AMI_GENERATION}"
trap report_unexpected_exit EXIT
TIMERS=(teleport-publish-ca-pin teleport-join-token teleport-publish-rollout teleport-renew-cert teleport-watchdog teleport-fetch-license)
systemctl daemon-reload
for timer in "${TIMERS[@]}"; do systemctl enable --now "${timer}.timer"; done
if ! instance_facts; then
  boot_failed metadata "the instance metadata service does not answer"
  exit 1
fi
WAIT_HOOK=launch_heartbeat
"${BOOT_BIN}/teleport-telemetry" || log "WARNING: this instance ships no logs or metrics (the lines above say why)"
if ! SESSIONS_KEY=$(imds "meta-data/tags/instance/${SESSIONS_KEY_TAG}"); then
  boot_failed metadata "no ${SESSIONS_KEY_TAG} instance tag"
  exit 1
fi
"${BOOT_BIN}/teleport-install" || { FAILURE_REPORTED=1 && exit 1; }
if [ -n "${LICENSE_PARAMETER}" ]; then
  wait_for "the Enterprise license in ${LICENSE_PARAMETER}" 30 "${BOOT_BIN}/teleport-fetch-license"
fi
SUBSTITUTIONS=("__NODENAME__=${INSTANCE_ID}" "__SESSIONS_KMS_KEY__=${SESSIONS_KEY}")
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
for timer in "${TIMERS[@]}"; do systemctl start --no-block "${timer}.service"; done
admit_when_ready || exit 1
log "done"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-publish-ca-pin 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
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
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
if ! teleport_installed || [ ! -e "${STARTED_MARKER}" ]; then
  log "Teleport is not started yet; the boot runs this job when it is"
  exit 0
fi
instance_facts
DONE="${BOOT_STATE}/join-token-created"
APPLIED="${BOOT_STATE}/join-token.json"
account=$(imds dynamic/instance-identity/document | python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])')
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
if ! retry 3 aws ssm get-parameters-by-path --path "${PROXY_ROLES_PATH}" --output json >"${work}/registered"; then
  log "cannot list the proxy roles under ${PROXY_ROLES_PATH}; the timer retries"
  exit 1
fi
status=0
python3 - "${BOOT_ETC}/proxy-token.json" "${work}/registered" "${account}" "${PROXY_ROLE_PREFIX}" >"${work}/token" <<'PY' || status=$?
import json, re, sys
template, registered, account, prefix = sys.argv[1:5]
token = json.load(open(template))
arn = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(" + re.escape(prefix) + r"[A-Za-z0-9+=,.@_-]+)$")
allow = []
for p in sorted(json.load(open(registered)).get("Parameters", []), key=lambda p: (p.get("Value", ""), p["Name"])):
    m = arn.match(p.get("Value", ""))
    if not m or m.group(2) != account:
        print("ignoring %s: %r is not a proxy role of account %s" % (p["Name"], p.get("Value"), account), file=sys.stderr)
        continue
    allow.append({"aws_account": account,
                  "aws_arn": "arn:%s:sts::%s:assumed-role/%s/i-*" % (m.group(1), account, m.group(3))})
if not allow:
    sys.exit(3)
token["spec"]["allow"] = allow
print(json.dumps(token, indent=2, sort_keys=True))
PY
case "${status}" in
0) ;;
3)
  log "no proxy role is registered under ${PROXY_ROLES_PATH} yet; the join token is left as it is"
  exit 0 ;;
*)
  log "cannot render the join token"
  exit 1 ;;
esac
if cmp -s "${work}/token" "${APPLIED}" && [ -z "$(find "${APPLIED}" -mmin +15)" ]; then
  exit 0
fi
create() { tctl status >/dev/null 2>&1 && tctl create -f "${work}/token"; }
if ! retry 6 create; then
  if [ ! -e "${DONE}" ]; then
    boot_failed join-token "tctl could not create the proxies' join token; the timer retries"
  fi
  exit 1
fi
cp "${work}/token" "${APPLIED}"
touch "${DONE}"
log "join token admits $(grep -c '"aws_arn"' "${work}/token") proxy role(s)"
TELEPORT_BOOT_FILE

write /usr/local/bin/teleport-publish-rollout 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
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
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
LIVE="s3://${CERT_BUCKET}/live/${CERT_DOMAIN}"
STATE="s3://${CERT_BUCKET}/${CERTBOT_STATE_KEY}"
CONFIG="${BOOT_STATE}/certbot"
UNSAVED="${BOOT_STATE}/certbot-unsaved"
CERTBOT="${ROOT}/opt/certbot"
WORK=$(mktemp -d)
LOCKED=false BACKOFF=false
cleanup() {
  if [ "${LOCKED}" = true ] && [ "${BACKOFF}" = false ]; then
    aws dynamodb delete-item --table-name "${LOCKS_TABLE}" --key '{"Lock":{"S":"certbot"}}' \
      --condition-expression "#owner = :me" --expression-attribute-names '{"#owner":"Owner"}' \
      --expression-attribute-values "{\":me\":{\"S\":\"${OWNER}\"}}" >/dev/null 2>&1 || true
  fi
  rm -rf "${WORK}"
}
trap cleanup EXIT
OWNER=$(hostname)
certificate_metric() {
  aws cloudwatch put-metric-data --namespace "${METRIC_NAMESPACE}" --metric-name "${CERTIFICATE_DAYS_METRIC}" \
    --dimensions "Domain=${CERT_DOMAIN}" --unit Count --value "$1" >/dev/null || log "could not publish the certificate metric"
}
s3get() { aws s3 cp --only-show-errors "$1" "$2"; }
s3put() { aws s3 cp --only-show-errors "$1" "$2"; }
publish() {
  if ! keypair_matches "$1" "$2"; then
    log "the key and certificate to publish do not match; not publishing"
    return 1
  fi
  cat "$1" "$2" >"${WORK}/keypair.pem"
  s3put "${WORK}/keypair.pem" "${LIVE}/keypair.pem"
}
days=0
if s3get "${LIVE}/keypair.pem" "${WORK}/published.pem" 2>/dev/null; then
  split_keypair "${WORK}/published.pem" "${WORK}/published.key" "${WORK}/published.crt"
  days=$(days_left "${WORK}/published.crt")
elif s3get "${LIVE}/fullchain.pem" "${WORK}/published.crt" 2>/dev/null &&
  s3get "${LIVE}/privkey.pem" "${WORK}/published.key" 2>/dev/null; then
  days=$(days_left "${WORK}/published.crt")
  if ((days > 30)) && publish "${WORK}/published.key" "${WORK}/published.crt"; then
    log "republished the certificate as one object"
  fi
fi
certificate_metric "${days}"
if ((days > 30)); then
  log "certificate for ${CERT_DOMAIN} is valid for ${days} more days"
  exit 0
fi
install_certbot() {
  rm -rf "${CERTBOT}"
  python3 -m venv "${CERTBOT}" || return 1
  if [ "${CERTBOT_LOCK_COMPLETE}" = true ]; then
    "${CERTBOT}/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-build-isolation \
      -r "${BOOT_ETC}/certbot-requirements.txt"
  else
    "${CERTBOT}/bin/pip" install --quiet --disable-pip-version-check \
      "certbot==${CERTBOT_VERSION}" "certbot-dns-route53==${CERTBOT_VERSION}" "acme==${CERTBOT_VERSION}"
  fi
}
if ! "${CERTBOT}/bin/certbot" --version 2>/dev/null | grep -qx "certbot ${CERTBOT_VERSION}"; then
  if [ "${CERTBOT_LOCK_COMPLETE}" != true ]; then
    log "installing certbot ${CERTBOT_VERSION} by exact versions WITHOUT hash checking: certbot-requirements.txt lacks hashes (its missing: lines)"
  fi
  if ! retry 5 install_certbot; then
    log "certbot install failed; the timer retries"
    exit 1
  fi
fi
now=$(date +%s)
if ! aws dynamodb put-item --table-name "${LOCKS_TABLE}" \
  --item "{\"Lock\":{\"S\":\"certbot\"},\"Owner\":{\"S\":\"${OWNER}\"},\"Expires\":{\"N\":\"$((now + 1200))\"}}" \
  --condition-expression "attribute_not_exists(#lock) OR #expires < :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":now\":{\"N\":\"${now}\"}}" >/dev/null 2>&1; then
  log "another auth instance holds the renewal lock, or certbot failed less than 20 minutes ago"
  exit 0
fi
LOCKED=true
if [ ! -e "${UNSAVED}" ]; then
  if s3get "${STATE}" "${WORK}/state.tar.gz" 2>"${WORK}/state.err"; then
    rm -rf "${CONFIG}" && install -d -m 0700 "${CONFIG}"
    tar -xzf "${WORK}/state.tar.gz" -C "${CONFIG}"
  elif grep -q "404" "${WORK}/state.err"; then
    log "no certbot state in the bucket yet: certbot registers the cluster's ACME account"
    rm -rf "${CONFIG}" && install -d -m 0700 "${CONFIG}"
  else
    log "cannot read certbot's state from ${STATE}: $(cat "${WORK}/state.err")"
    exit 1
  fi
fi
staging=()
if [ "${ACME_STAGING}" = true ]; then staging=(--staging); fi
if ! "${CERTBOT}/bin/certbot" certonly --non-interactive --agree-tos --keep-until-expiring \
  --email "${ACME_EMAIL}" --dns-route53 "${staging[@]}" \
  --config-dir "${CONFIG}" --work-dir "${WORK}/work" --logs-dir "${ROOT}/var/log/letsencrypt" \
  --cert-name teleport -d "${CERT_DOMAIN}" -d "*.${CERT_DOMAIN}"; then
  BACKOFF=true
  log "certbot failed; the next attempt is in 20 minutes at the earliest"
  exit 1
fi
touch "${UNSAVED}"
tar -czf "${WORK}/state.tar.gz" -C "${CONFIG}" .
if ! s3put "${WORK}/state.tar.gz" "${STATE}"; then
  log "could not save certbot's state to ${STATE}; this instance keeps it and retries"
  exit 1
fi
rm -f "${UNSAVED}"
if ! publish "${CONFIG}/live/teleport/privkey.pem" "${CONFIG}/live/teleport/fullchain.pem"; then
  log "could not publish the certificate; the next run retries without a new one"
  exit 1
fi
certificate_metric "$(days_left "${CONFIG}/live/teleport/fullchain.pem")"
log "published the certificate for ${CERT_DOMAIN}"
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

write /usr/local/bin/teleport-fetch-license 0755 <<'TELEPORT_BOOT_FILE'
#!/bin/bash
set -euo pipefail
# shellcheck source=lib.sh
. "${TELEPORT_BOOT_ROOT:-}/usr/local/lib/teleport-boot/lib.sh"
[ -n "${LICENSE_PARAMETER}" ] || exit 0
instance_facts
license="${ROOT}${LICENSE_PATH}"
last_error="${BOOT_STATE}/license-error"
mkdir -p "$(dirname "${license}")" "${BOOT_STATE}"
if ! aws ssm get-parameter --name "${LICENSE_PARAMETER}" --with-decryption \
  --query Parameter.Value --output text >"${license}.new" 2>"${license}.err"; then
  err=$(tr '\n' ' ' <"${license}.err")
  rm -f "${license}.new" "${license}.err"
  if [ "${err}" != "$(cat "${last_error}" 2>/dev/null)" ]; then
    printf '%s' "${err}" >"${last_error}"
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
  exit 1
fi
rm -f "${license}.err" "${last_error}"
chmod 0600 "${license}.new"
if cmp -s "${license}.new" "${license}"; then
  rm -f "${license}.new"
  exit 0
fi
mv -f "${license}.new" "${license}"
if [ -e "${STARTED_MARKER}" ]; then
  log "the license in ${LICENSE_PARAMETER} changed: reloading Teleport (graceful restart)"
  systemctl reload teleport
else
  log "license read from ${LICENSE_PARAMETER}"
fi
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-ca-pin.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport cluster CA pin to SSM
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
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
Description=Keep the Teleport proxies' IAM join token in step with the registered proxy roles
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
Type=oneshot
ExecStart=/usr/local/bin/teleport-join-token
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-join-token.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Keep the Teleport proxies' IAM join token in step with the registered proxy roles, every minute
[Timer]
OnBootSec=1min
OnUnitActiveSec=1min
RandomizedDelaySec=10s
[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-publish-rollout.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Publish the Teleport auth servers' rollout state
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
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
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
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

write /etc/systemd/system/teleport-fetch-license.service 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Fetch the Teleport Enterprise license and reload Teleport when it changed
After=network-online.target
Wants=network-online.target
[Service]
StandardOutput=append:/var/log/teleport-jobs.log
StandardError=inherit
Type=oneshot
ExecStart=/usr/local/bin/teleport-fetch-license
TELEPORT_BOOT_FILE

write /etc/systemd/system/teleport-fetch-license.timer 0644 <<'TELEPORT_BOOT_FILE'
[Unit]
Description=Fetch the Teleport Enterprise license and reload Teleport when it changed, every 10min
[Timer]
OnBootSec=10min
OnUnitActiveSec=10min
RandomizedDelaySec=2min
[Install]
WantedBy=timers.target
TELEPORT_BOOT_FILE

exec "${R}/usr/local/bin/teleport-boot-auth"
