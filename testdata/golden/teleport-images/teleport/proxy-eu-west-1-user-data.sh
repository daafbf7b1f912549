#!/bin/bash
# Boot script of a Teleport Proxy Service instance, rendered by this repository's
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

AUTH_SERVER=$(imds meta-data/tags/instance/TeleportAuthServer)
PEER_HOST=$(imds meta-data/local-ipv4)

# The instance waits in its launch lifecycle hook until it starts Teleport
# (see the launch gate below); every wait loop keeps the hook alive.
launch_heartbeat() {
  aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name imaged-proxy \
    --lifecycle-hook-name imaged-proxy-wait-for-auth --instance-id "${INSTANCE_ID}" >/dev/null 2>&1 || true
}

# The cluster CA pin, published by the auth instances (SSM, auth region).
until CA_PIN=$(aws ssm get-parameter --region eu-west-1 --name /teleport/imaged/ca-pin \
  --with-decryption --query Parameter.Value --output text) && [[ "${CA_PIN}" == sha256:* ]]; do
  echo "waiting for the auth instances to publish the CA pin in /teleport/imaged/ca-pin"
  launch_heartbeat
  sleep 30
done

# --- TLS certificate: fetched from the certs bucket ------------------------
# The auth instances publish it; Teleport re-reads the files every
# 5m (https_keypairs_reload_interval). Until the first certificate is
# published the proxy serves a self-signed placeholder, so that it starts,
# passes its health checks and is not replaced by the Auto Scaling group.
cat > /usr/local/bin/teleport-fetch-cert <<'FETCH_SH'
#!/bin/bash
set -euo pipefail
LIVE="s3://imaged-certs-915f1fdc/live/teleport.imaged.example"
DIR=/var/lib/teleport/tls
NEW=$(mktemp -d)
trap 'rm -rf "${NEW}"' EXIT
for f in privkey.pem fullchain.pem; do
  aws s3 cp --only-show-errors --region eu-west-1 "${LIVE}/${f}" "${NEW}/${f}"
done
openssl x509 -noout -in "${NEW}/fullchain.pem"
if cmp -s "${NEW}/fullchain.pem" "${DIR}/fullchain.pem" && cmp -s "${NEW}/privkey.pem" "${DIR}/privkey.pem"; then
  exit 0
fi
install -d -m 0700 "${DIR}"
install -m 0600 "${NEW}/privkey.pem" "${DIR}/privkey.pem.new"
install -m 0600 "${NEW}/fullchain.pem" "${DIR}/fullchain.pem.new"
mv -f "${DIR}/privkey.pem.new" "${DIR}/privkey.pem"
mv -f "${DIR}/fullchain.pem.new" "${DIR}/fullchain.pem"
echo "installed the published certificate"
FETCH_SH
chmod 0755 /usr/local/bin/teleport-fetch-cert
if ! /usr/local/bin/teleport-fetch-cert; then
  echo "no certificate published yet: serving a self-signed placeholder until the auth instances publish one"
  install -d -m 0700 /var/lib/teleport/tls
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=teleport.imaged.example" \
    -addext "subjectAltName=DNS:teleport.imaged.example,DNS:*.teleport.imaged.example" \
    -keyout /var/lib/teleport/tls/privkey.pem -out /var/lib/teleport/tls/fullchain.pem
  chmod 0600 /var/lib/teleport/tls/privkey.pem /var/lib/teleport/tls/fullchain.pem
fi

cat > /etc/systemd/system/teleport-fetch-cert.service <<'UNIT'
[Unit]
Description=Fetch the Teleport cluster certificate from S3
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-fetch-cert
UNIT
cat > /etc/systemd/system/teleport-fetch-cert.timer <<'UNIT'
[Unit]
Description=Fetch the Teleport cluster certificate from S3 every 5min
[Timer]
OnBootSec=2min
OnUnitActiveSec=5min
RandomizedDelaySec=30s
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now teleport-fetch-cert.timer

cat > /etc/teleport.yaml <<'TELEPORT_YAML'
version: v3
teleport:
    nodename: __NODENAME__
    data_dir: /var/lib/teleport
    auth_server: __AUTH_SERVER__:3025
    join_params:
        token_name: imaged-proxy-iam
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
        - teleport.imaged.example:443
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
TELEPORT_YAML
sed -i "s|__NODENAME__|${INSTANCE_ID}|g" /etc/teleport.yaml
sed -i "s|__AUTH_SERVER__|${AUTH_SERVER}|g" /etc/teleport.yaml
sed -i "s|__CA_PIN__|${CA_PIN}|g" /etc/teleport.yaml
sed -i "s|__PEER_HOST__|${PEER_HOST}|g" /etc/teleport.yaml
chmod 0600 /etc/teleport.yaml


# --- Launch gate: never newer than the auth servers ------------------------
# The instance waits in its launch lifecycle hook (not yet in service, so not
# health-checked or replaced) until every live auth server runs at least
# Teleport 17.7.16 and this AMI generation (f2be670e91ad), as the
# auth instances publish in /teleport/imaged/auth-rollout. A version bump or an AMI
# change deployed to every stack at once thus rolls the auth group first.
auth_admits_me() {
  local state
  state=$(aws ssm get-parameter --region eu-west-1 --name /teleport/imaged/auth-rollout \
    --query Parameter.Value --output text 2>/dev/null) || return 1
  python3 - "${state}" 17.7.16 f2be670e91ad <<'PY'
import json, sys, time
state, want, generation = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
version = lambda v: tuple(int(x) for x in v.split("."))
ok = (state.get("servers", 0) > 0 and time.time() - state.get("updated", 0) < 600
      and version(state.get("teleport", "0.0.0")) >= version(want)
      and state.get("generations") == [generation])
sys.exit(0 if ok else 1)
PY
}
until auth_admits_me; do
  echo "waiting for every auth server to run Teleport 17.7.16 and AMI generation f2be670e91ad"
  launch_heartbeat
  sleep 60
done
systemctl enable teleport
systemctl restart teleport
aws autoscaling complete-lifecycle-action --auto-scaling-group-name imaged-proxy \
  --lifecycle-hook-name imaged-proxy-wait-for-auth --instance-id "${INSTANCE_ID}" \
  --lifecycle-action-result CONTINUE || echo "no lifecycle action to complete"
echo "teleport boot: done $(date -u +%FT%TZ)"
