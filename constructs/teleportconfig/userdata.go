package teleportconfig

import (
	"fmt"
	"strings"

	"encoding/json"
)

// CertbotLockComplete reports whether a certbot lock file names no package
// as missing its hash ("# missing:" lines): only then do the auth instances
// install certbot with pip --require-hashes.
func CertbotLockComplete(lock string) bool {
	for _, line := range strings.Split(lock, "\n") {
		if strings.HasPrefix(line, "# missing:") {
			return false
		}
	}
	return true
}

// CertbotVersion is the exact certbot (and certbot-dns-route53, acme)
// release the auth instances install. certbot 5 requires Python 3.10;
// Amazon Linux 2023's python3 is 3.9.
const CertbotVersion = "4.1.1"

// Edition values accepted by Teleport's install script.
const (
	EditionOSS        = "oss"
	EditionEnterprise = "enterprise"
)

// SessionsKeyTag is the instance tag that carries the ARN of the KMS key for
// session recordings to the auth instances, for the same reason.
const SessionsKeyTag = "TeleportSessionsKey"

const accountPlaceholder = PlaceholderAccountID

// Install says which Teleport release to install.
type Install struct {
	// Version is the exact release, e.g. "17.4.8".
	Version string
	// Edition is EditionOSS or EditionEnterprise.
	Edition string
	// Preinstalled says the image has this release (Teleport's published
	// AMI): the boot checks `teleport version`, downloads nothing when it
	// matches, and runs Teleport with its own unit instead of the image's.
	Preinstalled bool
}

// AuthUserData holds what the auth instances need besides teleport.yaml.
type AuthUserData struct {
	Install
	// Config is the rendered Auth Service configuration.
	Config *File
	// GroupName is the auth Auto Scaling group: the dimension of the
	// instances' metrics. LaunchHook is its launch lifecycle hook, which
	// the boot completes once Teleport is ready.
	GroupName, LaunchHook string
	// LicenseParameter is the SSM parameter with the Enterprise license.
	LicenseParameter string
	// JoinToken is the name of the IAM join token for proxies.
	JoinToken string
	// CAPinParameter is the SSM parameter (auth region) where the auth
	// instances publish the cluster CA pin for the proxies.
	CAPinParameter string
	// RolloutParameter is the SSM parameter where they publish the rollout
	// state; AMIGeneration identifies the AMI settings this instance was
	// launched with.
	RolloutParameter, AMIGeneration string
	// ProxyRolesPath is the SSM path where proxy stacks register their
	// roles (config.Names.ProxyRolesPath); ProxyRolePrefix starts every
	// proxy role name: a registered ARN of another name is ignored.
	ProxyRolesPath, ProxyRolePrefix string
	// Cert configures certificate renewal.
	Cert Certificate
	// Telemetry says where the instances ship their logs and metrics.
	Telemetry Telemetry
}

// Certificate locates the cluster's TLS certificate and how it is issued.
type Certificate struct {
	// Domain is the cluster domain; the certificate also covers *.Domain.
	Domain string
	// Bucket holds live/<Domain>/fullchain.pem and privkey.pem.
	Bucket string
	// BucketRegion is the bucket's (the auth) region.
	BucketRegion string
	// LocksTable is the DynamoDB table of the renewal lock.
	LocksTable string
	// Email is the Let's Encrypt account address.
	Email string
	// Staging uses Let's Encrypt's staging directory.
	Staging bool
}

// CertbotStateKey is the key, in the certs bucket, of certbot's state for
// domain (the cluster's ACME account and certificate lineage), which only
// the auth instances read. They save it before every certificate they
// publish and never delete it: proxies list it to tell a cluster that never
// had a certificate (they may serve a placeholder) from one whose published
// certificate they cannot read (they must not).
func CertbotStateKey(domain string) string { return "certbot/" + domain + "/state.tar.gz" }

// ProxyUserData holds what the proxy instances need besides teleport.yaml.
type ProxyUserData struct {
	Install
	// Config is the rendered Proxy Service configuration.
	Config *File
	// ProxyPeering writes the instance's own peer address into the config.
	ProxyPeering bool
	// PublicPeering makes the peer address the instance's public IPv4
	// address instead of its private one.
	PublicPeering bool
	// AuthRegion and CAPinParameter locate the published CA pin.
	AuthRegion, CAPinParameter string
	// RolloutParameter holds the auth servers' rollout state; the instance
	// waits in the lifecycle hook LaunchHook of the group GroupName until
	// the auth servers admit it (teleport-launch-gate) and its Teleport is
	// ready.
	RolloutParameter, AMIGeneration, LaunchHook, GroupName string
	// Cert locates the certificate to fetch.
	Cert Certificate
	// Telemetry says where the instances ship their logs and metrics.
	Telemetry Telemetry
}

// token is the Teleport provision token resource for the IAM join method,
// without its rules: teleport-join-token adds one per registered proxy role.
type token struct {
	Kind     string `json:"kind"`
	Version  string `json:"version"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Roles      []string `json:"roles"`
		JoinMethod string   `json:"join_method"`
		Allow      []string `json:"allow"`
	} `json:"spec"`
}

// JoinTokenTemplate renders the proxies' IAM join token (JSON, which tctl
// reads as YAML) with an empty allow list. At boot, and every minute after,
// teleport-join-token fills it with one rule per proxy role registered under
// ProxyRolesPath (aws_account and aws_arn
// arn:<partition>:sts::<account>:assumed-role/<role>/i-*: the session name
// of an EC2 instance role is the instance id), and creates it.
//
// Listing the exact roles, rather than a name pattern, means that a role
// someone creates later with a matching name cannot join the cluster as a
// proxy; see docs/security.md for what must still be protected.
func JoinTokenTemplate(name string) (string, error) {
	var t token
	t.Kind, t.Version = "token", "v2"
	t.Metadata.Name = name
	t.Spec.Roles = []string{"Proxy"}
	t.Spec.JoinMethod = "iam"
	t.Spec.Allow = []string{}
	out, err := json.MarshalIndent(&t, "", "  ")
	if err != nil {
		return "", fmt.Errorf("render join token: %w", err)
	}
	return string(out) + "\n", nil
}

func (i Install) common(role, group, launchHook, amiGeneration, caPin, rollout string, cert Certificate) commonEnv {
	return commonEnv{
		Role: role, TeleportVersion: i.Version, TeleportEdition: i.Edition, TeleportPreinstalled: i.Preinstalled, AMIGeneration: amiGeneration,
		GroupName: group, ConfigPath: ConfigPath, DataDir: DataDir,
		MetricNamespace: MetricNamespace, BootWaitMetric: BootWaitMetric, BootFailuresMetric: BootFailuresMetric,
		CAPinParameter: caPin, RolloutParameter: rollout,
		CertDomain: cert.Domain, CertBucket: cert.Bucket, CertBucketRegion: cert.BucketRegion, CertbotStateKey: CertbotStateKey(cert.Domain),
		HealthzURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", DiagPort), WatchdogFailureSeconds: WatchdogFailureSeconds,
		LaunchHook: launchHook, ReadyzURL: fmt.Sprintf("http://127.0.0.1:%d/readyz", DiagPort), ReadyTimeoutSeconds: ReadyTimeoutSeconds,
		TeleportLogDir: TeleportLogDir, AgentConfig: AgentConfigPath, AgentMinVersion: CloudWatchAgentMinVersion,
	}
}

// Render returns the auth instances' user data (uncompressed; see
// UserDataBase64).
func (u AuthUserData) Render() (string, error) {
	cfg, err := u.Config.Marshal()
	if err != nil {
		return "", err
	}
	tok, err := JoinTokenTemplate(u.JoinToken)
	if err != nil {
		return "", err
	}
	lock, err := scriptFS.ReadFile("scripts/certbot-requirements.txt")
	if err != nil {
		return "", err
	}
	env, err := renderEnv(authEnv{
		commonEnv:        u.Install.common("auth", u.GroupName, u.LaunchHook, u.AMIGeneration, u.CAPinParameter, u.RolloutParameter, u.Cert),
		SessionsKeyTag:   SessionsKeyTag,
		LicenseParameter: u.LicenseParameter, LicensePath: LicensePath,
		ProxyRolesPath: u.ProxyRolesPath, ProxyRolePrefix: u.ProxyRolePrefix,
		LocksTable: u.Cert.LocksTable, ACMEEmail: u.Cert.Email, ACMEStaging: u.Cert.Staging,
		CertbotVersion: CertbotVersion, CertificateDaysMetric: CertificateDaysMetric,
		CertbotLockComplete: CertbotLockComplete(string(lock)),
	})
	if err != nil {
		return "", fmt.Errorf("auth user data: %w", err)
	}
	telemetry, err := u.Telemetry.files(roleAuth)
	if err != nil {
		return "", fmt.Errorf("auth user data: %w", err)
	}
	return bootstrap(roleAuth, u.Version, u.AMIGeneration, env, cfg, append(telemetry,
		bootFile{Path: bootEtc + "/proxy-token.json", Mode: "0644", Content: tok},
		bootFile{Path: bootEtc + "/certbot-requirements.txt", Mode: "0644", Content: stripRequirements(string(lock))})...)
}

// Render returns the proxy instances' user data (uncompressed; see
// UserDataBase64).
func (u ProxyUserData) Render() (string, error) {
	cfg, err := u.Config.Marshal()
	if err != nil {
		return "", err
	}
	peer := ""
	if u.ProxyPeering {
		peer = "local-ipv4"
		if u.PublicPeering {
			peer = "public-ipv4"
		}
	}
	env, err := renderEnv(proxyEnv{
		commonEnv:       u.Install.common("proxy", u.GroupName, u.LaunchHook, u.AMIGeneration, u.CAPinParameter, u.RolloutParameter, u.Cert),
		AuthRegion:      u.AuthRegion,
		PeerAddressPath: peer,
		TLSDir:          TLSDir,
		DrainHook:       DrainHookName, DrainTimeoutSeconds: DrainTimeoutSeconds, ServedCertificateDaysMetric: ServedCertificateDaysMetric,
	})
	if err != nil {
		return "", fmt.Errorf("proxy user data: %w", err)
	}
	telemetry, err := u.Telemetry.files(roleProxy)
	if err != nil {
		return "", fmt.Errorf("proxy user data: %w", err)
	}
	return bootstrap(roleProxy, u.Version, u.AMIGeneration, env, cfg, telemetry...)
}

// RolloutMarker is the comment line every boot script carries, from which
// tools read what a launch template rolls out (package report).
func RolloutMarker(version, amiGeneration string) string {
	return fmt.Sprintf("rollout: teleport=%s ami-generation=%s", version, amiGeneration)
}

// ParseRolloutMarker reads the release and AMI generation of a boot script,
// and whether it has a rollout marker.
func ParseRolloutMarker(script string) (version, amiGeneration string, ok bool) {
	for _, line := range strings.Split(script, "\n") {
		if rest, found := strings.CutPrefix(line, "# rollout: "); found {
			for _, field := range strings.Fields(rest) {
				if v, ok := strings.CutPrefix(field, "teleport="); ok {
					version = v
				}
				if g, ok := strings.CutPrefix(field, "ami-generation="); ok {
					amiGeneration = g
				}
			}
			return version, amiGeneration, version != ""
		}
	}
	return "", "", false
}
