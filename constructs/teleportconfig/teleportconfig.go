// Package teleportconfig renders what runs on the instances: teleport.yaml
// (from Go structs, never by string concatenation), one environment file per
// role (typed values), and the user data that installs them with the static
// boot scripts of scripts/. It is plain Go with no jsii, so its output, and
// the scripts' behaviour, can be tested in seconds.
//
// Values that only exist at boot (the instance's own address, the AWS account
// id, the auth load balancer's DNS name) appear in the rendered YAML as
// placeholders that the boot script substitutes; see Placeholder*.
package teleportconfig

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Ports used by the Teleport processes.
const (
	// AuthPort serves the Auth Service API to proxies (through the auth NLB).
	AuthPort = 3025
	// WebPort is the proxy's TLS-routing (ALPN) port behind the public NLB.
	WebPort = 443
	// PeerPort is the proxy peering gRPC port.
	PeerPort = 3021
	// DiagPort serves /healthz and /readyz for load balancer health checks.
	DiagPort = 3000
)

// Placeholders replaced by the boot script before Teleport starts.
const (
	// PlaceholderPeerHost becomes the proxy's own peer address (private IP in
	// vpc peering mode, public IP in public mode).
	PlaceholderPeerHost = "__PEER_HOST__"
	// PlaceholderSessionsKey becomes the ARN of the KMS key session
	// recordings are encrypted with, read from the instance's
	// TeleportSessionsKey tag through the metadata service.
	PlaceholderSessionsKey = "__SESSIONS_KMS_KEY__"
	// PlaceholderAccountID becomes the account id (from the instance
	// identity document), in settings that name the account's resources.
	PlaceholderAccountID = "__ACCOUNT_ID__"
	// PlaceholderNodeName becomes the EC2 instance id.
	PlaceholderNodeName = "__NODENAME__"
	// PlaceholderCAPin becomes the cluster CA pins ("sha256:...", comma
	// separated inside a flow list) that the auth instances publish in
	// SSM Parameter Store.
	PlaceholderCAPin = "__CA_PIN__"
)

// Metrics the instances publish, all in MetricNamespace.
const (
	// MetricNamespace holds every metric of the instances.
	MetricNamespace = "Teleport"
	// CertificateDaysMetric is published by the auth instances' renewal
	// job on every run: how many days the certificate published in the
	// certs bucket stays valid (0 when there is none). Dimension Domain.
	CertificateDaysMetric = "CertificateDaysRemaining"
	// ServedCertificateDaysMetric is published by the proxies: how many
	// days the certificate they serve (the installed file) stays valid, 0
	// while they serve the boot-time placeholder. Dimension
	// AutoScalingGroupName.
	ServedCertificateDaysMetric = "ServedCertificateDaysRemaining"
	// BootWaitMetric is the number of seconds an instance has waited so
	// far at a boot gate (license, CA pin, auth release, certificate),
	// published each minute while it waits. Dimension AutoScalingGroupName.
	BootWaitMetric = "BootWaitSeconds"
	// BootFailuresMetric is 1 each time a boot gives up or a first-boot
	// step fails for good. Dimension AutoScalingGroupName.
	BootFailuresMetric = "BootFailures"
)

// What the instances do about their own health and termination; the
// infrastructure (health check type, lifecycle hooks, IAM) is built to match.
const (
	// DrainHookName is the termination lifecycle hook of the proxy groups.
	// A proxy that sees its pending termination asks Teleport to shut down
	// gracefully and completes this hook when Teleport has exited.
	DrainHookName = "teleport-drain"
	// DrainTimeoutSeconds is the most a proxy waits for its sessions to
	// end after SIGQUIT before it completes the drain hook; the hook's
	// heartbeat timeout must be larger.
	DrainTimeoutSeconds = 300
	// WatchdogFailureSeconds is how long Teleport's /healthz must fail
	// continuously (after Teleport first started) before the instance
	// marks itself Unhealthy in its Auto Scaling group.
	WatchdogFailureSeconds = 300
	// ReadyTimeoutSeconds is how long a new instance, Teleport started,
	// waits in its launch hook for Teleport's /readyz to answer 200 before
	// it reports a failed boot and abandons itself. /readyz answers 200
	// only once every component of the process has reported OK (Teleport
	// lib/service/state.go; "Health Monitoring" guide): for a proxy its
	// first heartbeat through the auth servers, for an auth server its
	// backend and cache. A major upgrade's first auth server may migrate
	// the backend first, hence minutes, not seconds.
	ReadyTimeoutSeconds = 900
)

// Paths on the instances.
const (
	ConfigPath  = "/etc/teleport.yaml"
	DataDir     = "/var/lib/teleport"
	LicensePath = "/var/lib/teleport/license.pem"
	TLSDir      = "/var/lib/teleport/tls"
	CertPath    = TLSDir + "/fullchain.pem"
	KeyPath     = TLSDir + "/privkey.pem"
)

// File is the subset of teleport.yaml (version v3) this app writes.
type File struct {
	Version  string        `yaml:"version"`
	Teleport Process       `yaml:"teleport"`
	Auth     AuthService   `yaml:"auth_service"`
	Proxy    ProxyService  `yaml:"proxy_service"`
	SSH      ServiceToggle `yaml:"ssh_service"`
}

// Process is the teleport: section.
type Process struct {
	NodeName   string      `yaml:"nodename,omitempty"`
	DataDir    string      `yaml:"data_dir"`
	AuthServer string      `yaml:"auth_server,omitempty"`
	JoinParams *JoinParams `yaml:"join_params,omitempty"`
	CAPin      []string    `yaml:"ca_pin,omitempty,flow"`
	DiagAddr   string      `yaml:"diag_addr,omitempty"`
	Log        Log         `yaml:"log"`
	Storage    *Storage    `yaml:"storage,omitempty"`
}

// JoinParams tells an instance how to join the cluster.
type JoinParams struct {
	TokenName string `yaml:"token_name"`
	Method    string `yaml:"method"`
}

// Log configures Teleport's logging.
type Log struct {
	Output   string `yaml:"output"`
	Severity string `yaml:"severity"`
	Format   struct {
		Output string `yaml:"output"`
	} `yaml:"format"`
}

// Storage is the cluster state and audit configuration of the Auth Service.
type Storage struct {
	Type             string   `yaml:"type"`
	Region           string   `yaml:"region"`
	TableName        string   `yaml:"table_name"`
	AuditEventsURI   []string `yaml:"audit_events_uri"`
	AuditSessionsURI string   `yaml:"audit_sessions_uri"`
}

// ServiceToggle is a service section with only enabled.
type ServiceToggle struct {
	Enabled bool `yaml:"enabled"`
}

// AuthService is the auth_service: section.
type AuthService struct {
	Enabled           bool            `yaml:"enabled"`
	ClusterName       string          `yaml:"cluster_name,omitempty"`
	ListenAddr        string          `yaml:"listen_addr,omitempty"`
	ProxyProtocol     string          `yaml:"proxy_protocol,omitempty"`
	ProxyListenerMode string          `yaml:"proxy_listener_mode,omitempty"`
	TunnelStrategy    *TunnelStrategy `yaml:"tunnel_strategy,omitempty"`
	LicenseFile       string          `yaml:"license_file,omitempty"`
}

// TunnelStrategy selects proxy peering or the agent mesh.
type TunnelStrategy struct {
	Type                 string `yaml:"type"`
	AgentConnectionCount int    `yaml:"agent_connection_count,omitempty"`
}

// ProxyService is the proxy_service: section.
type ProxyService struct {
	Enabled                     bool      `yaml:"enabled"`
	PublicAddr                  []string  `yaml:"public_addr,omitempty"`
	WebListenAddr               string    `yaml:"web_listen_addr,omitempty"`
	PeerListenAddr              string    `yaml:"peer_listen_addr,omitempty"`
	PeerPublicAddr              string    `yaml:"peer_public_addr,omitempty"`
	ProxyProtocol               string    `yaml:"proxy_protocol,omitempty"`
	HTTPSKeyPairs               []KeyPair `yaml:"https_keypairs,omitempty"`
	HTTPSKeyPairsReloadInterval string    `yaml:"https_keypairs_reload_interval,omitempty"`
	ACME                        *ACME     `yaml:"acme,omitempty"`
}

// KeyPair is one certificate served by the proxy.
type KeyPair struct {
	KeyFile  string `yaml:"key_file"`
	CertFile string `yaml:"cert_file"`
}

// ACME is Teleport's built-in ACME client. It answers TLS-ALPN-01 challenges,
// which cannot pass through load balancers in several regions: always off here.
type ACME struct {
	Enabled bool `yaml:"enabled"`
}

// Marshal renders f as YAML.
func (f *File) Marshal() (string, error) { return marshal(f) }

func marshal(v any) (string, error) {
	out, err := yaml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("render teleport.yaml: %w", err)
	}
	return string(out), nil
}

// fileLog writes Teleport's log to TeleportLogPath, which the CloudWatch
// agent ships (see telemetry.go for why a file and not the journal).
// Teleport takes any output other than stderr, stdout and syslog as a file
// path (lib/utils/log, Initialize).
func fileLog() Log {
	l := Log{Output: TeleportLogPath, Severity: "INFO"}
	l.Format.Output = "text"
	return l
}

func hostPort(host string, port int) string { return fmt.Sprintf("%s:%d", host, port) }
