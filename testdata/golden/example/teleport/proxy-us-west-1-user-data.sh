#!/bin/bash
# Boot script of a Teleport Proxy Service instance, rendered by this repository's
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
  if curl -fsSL https://cdn.teleport.dev/install.sh | bash -s 17.4.8 oss; then break; fi
  [ "${attempt}" = 5 ] && { echo "teleport install failed"; exit 1; }
  sleep $((attempt * 10))
done
install -d -m 0700 /var/lib/teleport

AUTH_SERVER=$(imds meta-data/tags/instance/TeleportAuthServer)
PEER_HOST=$(imds meta-data/local-ipv4)

# --- TLS certificate: fetched from the certs bucket ------------------------
# The auth instances publish it; Teleport reloads it (https_keypairs_reload_interval).
cat > /usr/local/bin/teleport-fetch-cert <<'FETCH_SH'
#!/bin/bash
set -euo pipefail
LIVE="s3://example-certs-7ae7c906/live/teleport.example.com"
install -d -m 0700 /var/lib/teleport/tls
for f in privkey.pem fullchain.pem; do
  aws s3 cp --only-show-errors --region us-west-2 "${LIVE}/${f}" "/var/lib/teleport/tls/${f}.new"
  chmod 0600 "/var/lib/teleport/tls/${f}.new"
done
mv -f /var/lib/teleport/tls/privkey.pem.new /var/lib/teleport/tls/privkey.pem
mv -f /var/lib/teleport/tls/fullchain.pem.new /var/lib/teleport/tls/fullchain.pem
FETCH_SH
chmod 0755 /usr/local/bin/teleport-fetch-cert
until /usr/local/bin/teleport-fetch-cert; do
  echo "waiting for the auth instances to publish the certificate"
  sleep 30
done
cat > /etc/systemd/system/teleport-fetch-cert.service <<'UNIT'
[Unit]
Description=Fetch the Teleport cluster certificate from S3
[Service]
Type=oneshot
ExecStart=/usr/local/bin/teleport-fetch-cert
UNIT
cat > /etc/systemd/system/teleport-fetch-cert.timer <<'UNIT'
[Unit]
Description=Fetch the Teleport cluster certificate every hour
[Timer]
OnUnitActiveSec=1h
OnBootSec=5min
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
        token_name: example-proxy-iam
        method: iam
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
        - teleport.example.com:443
    web_listen_addr: 0.0.0.0:443
    peer_listen_addr: 0.0.0.0:3021
    peer_public_addr: __PEER_HOST__:3021
    proxy_protocol: "on"
    https_keypairs:
        - key_file: /var/lib/teleport/tls/privkey.pem
          cert_file: /var/lib/teleport/tls/fullchain.pem
    https_keypairs_reload_interval: 1h
    acme:
        enabled: false
ssh_service:
    enabled: false
TELEPORT_YAML
sed -i "s|__NODENAME__|${INSTANCE_ID}|g" /etc/teleport.yaml
sed -i "s|__AUTH_SERVER__|${AUTH_SERVER}|g" /etc/teleport.yaml
sed -i "s|__PEER_HOST__|${PEER_HOST}|g" /etc/teleport.yaml
chmod 0600 /etc/teleport.yaml

systemctl enable teleport
systemctl restart teleport
echo "teleport boot: done $(date -u +%FT%TZ)"
