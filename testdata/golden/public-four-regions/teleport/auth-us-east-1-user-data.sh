#!/bin/bash
# Boot script of a Teleport Auth Service instance, rendered by this repository's
# constructs/teleportconfig package. Output goes to /var/log/teleport-boot.log.
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
  if curl -fsSL https://cdn.teleport.dev/install.sh | bash -s 17.4.8 enterprise; then break; fi
  [ "${attempt}" = 5 ] && { echo "teleport install failed"; exit 1; }
  sleep $((attempt * 10))
done
install -d -m 0700 /var/lib/teleport

ACCOUNT_ID=$(imds dynamic/instance-identity/document | python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])')
SESSIONS_KEY=$(imds meta-data/tags/instance/TeleportSessionsKey)

# Enterprise license, kept in SSM Parameter Store as a SecureString.
aws ssm get-parameter --name /teleport/globex/license --with-decryption \
  --query Parameter.Value --output text > /var/lib/teleport/license.pem
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
        region: us-east-1
        table_name: globex-state
        audit_events_uri:
            - dynamodb://globex-events
        audit_sessions_uri: s3://globex-recordings-7a81bd44/records?region=us-east-1&sse_kms_key=__SESSIONS_KMS_KEY__
auth_service:
    enabled: true
    cluster_name: access.globex.example
    listen_addr: 0.0.0.0:3025
    proxy_listener_mode: multiplex
    tunnel_strategy:
        type: proxy_peering
        agent_connection_count: 3
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
    name: globex-proxy-iam
spec:
    roles:
        - Proxy
    join_method: iam
    allow:
        - aws_account: "__ACCOUNT_ID__"
          aws_arn: arn:aws:sts::__ACCOUNT_ID__:assumed-role/globex-proxy-*/i-*
TOKEN_YAML
sed -i "s|__ACCOUNT_ID__|${ACCOUNT_ID}|g" /etc/teleport-proxy-token.yaml
tctl create -f /etc/teleport-proxy-token.yaml

# --- TLS certificate: Let's Encrypt with the DNS-01 challenge -------------
# Teleport's built-in ACME (TLS-ALPN-01) cannot work behind several regional
# load balancers, so the auth instances obtain the certificate for the domain
# and its wildcard with certbot's Route 53 plugin and publish it, encrypted,
# to the certs bucket, where every proxy fetches it.
python3 -m venv /opt/certbot
/opt/certbot/bin/pip install --quiet --upgrade pip
/opt/certbot/bin/pip install --quiet certbot certbot-dns-route53
cat > /usr/local/bin/teleport-renew-cert <<'RENEW_SH'
#!/bin/bash
# Renews the cluster certificate when the published one expires within 30
# days. A lock item in DynamoDB lets one auth instance at a time renew.
set -euo pipefail
DOMAIN=access.globex.example
BUCKET=globex-certs-7a81bd44
TABLE=globex-locks
LIVE="s3://${BUCKET}/live/${DOMAIN}"
WORK=$(mktemp -d)
trap 'rm -rf "${WORK}"' EXIT
if aws s3 cp --only-show-errors "${LIVE}/fullchain.pem" "${WORK}/current.pem" 2>/dev/null &&
  openssl x509 -checkend 2592000 -noout -in "${WORK}/current.pem"; then
  echo "certificate for ${DOMAIN} is valid for 30 more days"
  exit 0
fi
now=$(date +%s)
owner=$(hostname)
if ! aws dynamodb put-item --table-name "${TABLE}" \
  --item "{\"Lock\":{\"S\":\"certbot\"},\"Owner\":{\"S\":\"${owner}\"},\"Expires\":{\"N\":\"$((now + 1800))\"}}" \
  --condition-expression "attribute_not_exists(#lock) OR #expires < :now" \
  --expression-attribute-names '{"#lock":"Lock","#expires":"Expires"}' \
  --expression-attribute-values "{\":now\":{\"N\":\"${now}\"}}" >/dev/null 2>&1; then
  echo "another auth instance holds the renewal lock"
  exit 0
fi
trap 'aws dynamodb delete-item --table-name "${TABLE}" --key "{\"Lock\":{\"S\":\"certbot\"}}" || true; rm -rf "${WORK}"' EXIT
/opt/certbot/bin/certbot certonly --non-interactive --agree-tos \
  --email ops@globex.example --dns-route53 --staging \
  --config-dir "${WORK}/config" --work-dir "${WORK}/work" --logs-dir /var/log/letsencrypt \
  --cert-name teleport -d "${DOMAIN}" -d "*.${DOMAIN}"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/privkey.pem" "${LIVE}/privkey.pem"
aws s3 cp --only-show-errors "${WORK}/config/live/teleport/fullchain.pem" "${LIVE}/fullchain.pem"
echo "published a new certificate for ${DOMAIN}"
RENEW_SH
chmod 0755 /usr/local/bin/teleport-renew-cert
cat > /etc/systemd/system/teleport-renew-cert.service <<'UNIT'
[Unit]
Description=Renew the Teleport cluster certificate (Let's Encrypt DNS-01)
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-renew-cert
UNIT
cat > /etc/systemd/system/teleport-renew-cert.timer <<'UNIT'
[Unit]
Description=Check the Teleport cluster certificate twice a day
[Timer]
OnBootSec=1min
OnUnitActiveSec=12h
RandomizedDelaySec=30min
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now teleport-renew-cert.timer

echo "teleport boot: done $(date -u +%FT%TZ)"
