#!/bin/bash
# Boot script of a Teleport Auth Service instance, rendered by this repository's
# constructs/teleportconfig package. Output goes to /var/log/teleport-boot.log.
# rollout: teleport=17.7.16 ami-generation=f2be670e91ad
set -euo pipefail
exec >>/var/log/teleport-boot.log 2>&1
echo "teleport boot: start $(date -u +%FT%TZ)"

# The metadata service requires session tokens (IMDSv2).
imds() {
  local token
  token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" http://169.254.169.254/latest/api/token)
  curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/$1"
}
INSTANCE_ID=$(imds meta-data/instance-id)
REGION=$(imds meta-data/placement/region)
export AWS_DEFAULT_REGION="${REGION}"

# Install the pinned Teleport release from Teleport's package repository.
for attempt in 1 2 3 4 5; do
  if curl -fsSL https://cdn.teleport.dev/install.sh | bash -s 17.7.16 enterprise; then break; fi
  [ "${attempt}" = 5 ] && { echo "teleport install failed"; exit 1; }
  sleep $((attempt * 10))
done
install -d -m 0700 /var/lib/teleport

ACCOUNT_ID=$(imds dynamic/instance-identity/document | python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])')
SESSIONS_KEY=$(imds meta-data/tags/instance/TeleportSessionsKey)

# Enterprise license, kept in SSM Parameter Store as a SecureString.
until aws ssm get-parameter --name /teleport/imaged/license --with-decryption \
  --query Parameter.Value --output text > /var/lib/teleport/license.pem; do
  echo "waiting for the Enterprise license in SSM parameter /teleport/imaged/license"
  sleep 30
done
chmod 0600 /var/lib/teleport/license.pem

cat > /etc/teleport.yaml <<'TELEPORT_YAML'
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
        region: eu-west-1
        table_name: imaged-state
        audit_events_uri:
            - dynamodb://imaged-events
        audit_sessions_uri: s3://imaged-recordings-915f1fdc/records?region=eu-west-1&sse_kms_key=__SESSIONS_KMS_KEY__
auth_service:
    enabled: true
    cluster_name: teleport.imaged.example
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
TELEPORT_YAML
sed -i "s|__NODENAME__|${INSTANCE_ID}|g" /etc/teleport.yaml
sed -i "s|__SESSIONS_KMS_KEY__|${SESSIONS_KEY}|g" /etc/teleport.yaml
chmod 0600 /etc/teleport.yaml

systemctl enable teleport
systemctl restart teleport

# The IAM join token lets proxies join without a shared secret: Teleport
# checks the proxy's signed sts:GetCallerIdentity against these rules.
until tctl status >/dev/null 2>&1; do sleep 5; done
cat > /etc/teleport-proxy-token.yaml <<'TOKEN_YAML'
kind: token
version: v2
metadata:
    name: imaged-proxy-iam
spec:
    roles:
        - Proxy
    join_method: iam
    allow:
        - aws_account: "__ACCOUNT_ID__"
          aws_arn: arn:aws:sts::__ACCOUNT_ID__:assumed-role/imaged-proxy-*/i-*
TOKEN_YAML
sed -i "s|__ACCOUNT_ID__|${ACCOUNT_ID}|g" /etc/teleport-proxy-token.yaml
tctl create -f /etc/teleport-proxy-token.yaml

# --- Cluster CA pin, for the proxies' first join ---------------------------
# Proxies set teleport.ca_pin from this parameter, so that they trust only
# this cluster's CA when they join. Republished every 15 minutes: after a CA
# rotation new proxies pin the new CA.
echo "KEY_ARN=${SESSIONS_KEY}" > /etc/default/teleport-ca-pin
cat > /usr/local/bin/teleport-publish-ca-pin <<'PIN_SH'
#!/bin/bash
set -euo pipefail
. /etc/default/teleport-ca-pin
pins=$(tctl status | awk '$1 == "CA" && $2 == "pin" {print $3}' | paste -sd, -)
case "${pins}" in sha256:*) ;; *) echo "tctl status shows no CA pin"; exit 1 ;; esac
current=$(aws ssm get-parameter --name /teleport/imaged/ca-pin --with-decryption \
  --query Parameter.Value --output text 2>/dev/null || true)
if [ "${current}" != "${pins}" ]; then
  aws ssm put-parameter --name /teleport/imaged/ca-pin --overwrite \
    --type SecureString --key-id "${KEY_ARN}" --value "${pins}" >/dev/null
  echo "published CA pin ${pins}"
fi
PIN_SH
chmod 0755 /usr/local/bin/teleport-publish-ca-pin

cat > /etc/systemd/system/teleport-publish-ca-pin.service <<'UNIT'
[Unit]
Description=Publish the Teleport cluster CA pin to SSM
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-publish-ca-pin
UNIT
cat > /etc/systemd/system/teleport-publish-ca-pin.timer <<'UNIT'
[Unit]
Description=Publish the Teleport cluster CA pin to SSM every 15min
[Timer]
OnBootSec=30s
OnUnitActiveSec=15min
RandomizedDelaySec=30s
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now teleport-publish-ca-pin.timer

# --- Rollout state, which holds new proxies back -------------------------
# Every minute, while Teleport answers, this auth server records its release
# and AMI generation in the locks table (an item that expires in 5 minutes),
# and publishes what all live auth servers run: the oldest release and the
# set of AMI generations. New proxies wait in their launch lifecycle hook
# until every auth server runs at least their release and their AMI
# generation (Teleport upgrades the Auth Service before the proxies).
cat > /etc/default/teleport-rollout <<ROLLOUT_ENV
INSTANCE_ID=${INSTANCE_ID}
ROLLOUT_ENV
cat > /usr/local/bin/teleport-publish-rollout <<'ROLLOUT_SH'
#!/bin/bash
set -euo pipefail
. /etc/default/teleport-rollout
TABLE=imaged-locks
PARAM=/teleport/imaged/auth-rollout
now=$(date +%s)
if tctl status >/dev/null 2>&1; then
  aws dynamodb put-item --table-name "${TABLE}" --item \
    "{\"Lock\":{\"S\":\"auth-server/${INSTANCE_ID}\"},\"Teleport\":{\"S\":\"17.7.16\"},\"Generation\":{\"S\":\"f2be670e91ad\"},\"Expires\":{\"N\":\"$((now + 300))\"}}"
fi
aws dynamodb scan --table-name "${TABLE}" --output json \
  --filter-expression "begins_with(#lock, :prefix) AND #expires > :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":prefix\":{\"S\":\"auth-server/\"},\":now\":{\"N\":\"${now}\"}}" > /run/teleport-rollout.json
state=$(python3 - "${now}" <<'PY'
import json, sys
items = json.load(open("/run/teleport-rollout.json"))["Items"]
versions = [tuple(int(x) for x in i["Teleport"]["S"].split(".")) for i in items]
state = {"servers": len(items), "updated": int(sys.argv[1])}
if versions:
    state["teleport"] = ".".join(str(x) for x in min(versions))
    state["generations"] = sorted({i["Generation"]["S"] for i in items})
print(json.dumps(state, sort_keys=True, separators=(",", ":")))
PY
)
aws ssm put-parameter --name "${PARAM}" --type String --overwrite --value "${state}" >/dev/null
ROLLOUT_SH
chmod 0755 /usr/local/bin/teleport-publish-rollout

cat > /etc/systemd/system/teleport-publish-rollout.service <<'UNIT'
[Unit]
Description=Publish the Teleport auth servers' rollout state
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-publish-rollout
UNIT
cat > /etc/systemd/system/teleport-publish-rollout.timer <<'UNIT'
[Unit]
Description=Publish the Teleport auth servers' rollout state every 1min
[Timer]
OnBootSec=30s
OnUnitActiveSec=1min
RandomizedDelaySec=30s
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now teleport-publish-rollout.timer

# --- TLS certificate: Let's Encrypt with the DNS-01 challenge -------------
# Teleport's built-in ACME (TLS-ALPN-01) cannot work behind several regional
# load balancers, so the auth instances obtain the certificate for the domain
# and its wildcard with certbot's Route 53 plugin and publish it, encrypted,
# to the certs bucket, where every proxy fetches it. Nothing here can stall
# the boot: installation and issuance run from a timer every 15 minutes
# until a certificate valid for 30 more days is published.
cat > /usr/local/bin/teleport-renew-cert <<'RENEW_SH'
#!/bin/bash
set -euo pipefail
DOMAIN=teleport.imaged.example
BUCKET=imaged-certs-915f1fdc
TABLE=imaged-locks
# Pinned: hosts booted months apart run the same certbot. 4.x is the last
# series that supports Amazon Linux 2023's Python 3.9.
CERTBOT_VERSION=4.1.1
LIVE="s3://${BUCKET}/live/${DOMAIN}"
WORK=$(mktemp -d)
trap 'rm -rf "${WORK}"' EXIT
# Report the published certificate's remaining validity (0 without one):
# the certificate alarm fires below 14 days, or when reports stop.
days=0
if aws s3 cp --only-show-errors "${LIVE}/fullchain.pem" "${WORK}/current.pem" 2>/dev/null; then
  end=$(openssl x509 -enddate -noout -in "${WORK}/current.pem" | cut -d= -f2)
  days=$(( ($(date -d "${end}" +%s) - $(date +%s)) / 86400 ))
fi
aws cloudwatch put-metric-data --namespace Teleport --metric-name CertificateDaysRemaining \
  --dimensions "Domain=${DOMAIN}" --unit Count --value "${days}" || echo "could not publish the certificate metric"
if [ "${days}" -gt 30 ]; then
  echo "certificate for ${DOMAIN} is valid for ${days} more days"
  exit 0
fi

# Install certbot, retrying with back-off; a failure here is retried by the
# next run of the timer.
if ! /opt/certbot/bin/certbot --version 2>/dev/null | grep -qx "certbot ${CERTBOT_VERSION}"; then
  rm -rf /opt/certbot
  python3 -m venv /opt/certbot
  for attempt in 1 2 3 4 5; do
    if /opt/certbot/bin/pip install --quiet --disable-pip-version-check \
      "certbot==${CERTBOT_VERSION}" "certbot-dns-route53==${CERTBOT_VERSION}" "acme==${CERTBOT_VERSION}"; then
      break
    fi
    [ "${attempt}" = 5 ] && { echo "certbot install failed; the timer retries"; exit 1; }
    sleep $((attempt * attempt * 10))
  done
fi

# One auth instance at a time, and at most one attempt every 20 minutes
# across all of them: a failed run keeps the lock until it expires, which
# stays under Let's Encrypt's limit of 5 failed validations per hostname per
# hour. A successful run releases it.
now=$(date +%s)
if ! aws dynamodb put-item --table-name "${TABLE}" \
  --item "{\"Lock\":{\"S\":\"certbot\"},\"Owner\":{\"S\":\"$(hostname)\"},\"Expires\":{\"N\":\"$((now + 1200))\"}}" \
  --condition-expression "attribute_not_exists(#lock) OR #expires < :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":now\":{\"N\":\"${now}\"}}" >/dev/null 2>&1; then
  echo "another auth instance holds the renewal lock, or the last attempt failed less than 20 minutes ago"
  exit 0
fi
/opt/certbot/bin/certbot certonly --non-interactive --agree-tos \
  --email ops@imaged.example --dns-route53 \
  --config-dir "${WORK}/config" --work-dir "${WORK}/work" --logs-dir /var/log/letsencrypt \
  --cert-name teleport -d "${DOMAIN}" -d "*.${DOMAIN}"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/privkey.pem" "${LIVE}/privkey.pem"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/fullchain.pem" "${LIVE}/fullchain.pem"
aws dynamodb delete-item --table-name "${TABLE}" --key '{"Lock":{"S":"certbot"}}' || true
end=$(openssl x509 -enddate -noout -in "${WORK}/config/live/teleport/fullchain.pem" | cut -d= -f2)
aws cloudwatch put-metric-data --namespace Teleport --metric-name CertificateDaysRemaining \
  --dimensions "Domain=${DOMAIN}" --unit Count --value "$(( ($(date -d "${end}" +%s) - $(date +%s)) / 86400 ))" || true
echo "published a new certificate for ${DOMAIN}"
RENEW_SH
chmod 0755 /usr/local/bin/teleport-renew-cert

cat > /etc/systemd/system/teleport-renew-cert.service <<'UNIT'
[Unit]
Description=Issue or renew the Teleport cluster certificate (Let's Encrypt DNS-01)
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-renew-cert
UNIT
cat > /etc/systemd/system/teleport-renew-cert.timer <<'UNIT'
[Unit]
Description=Issue or renew the Teleport cluster certificate (Let's Encrypt DNS-01) every 15min
[Timer]
OnBootSec=1min
OnUnitActiveSec=15min
RandomizedDelaySec=30s
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now teleport-renew-cert.timer

echo "teleport boot: done $(date -u +%FT%TZ)"
