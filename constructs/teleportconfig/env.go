package teleportconfig

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// commonEnv is what every boot script reads from the role's environment
// file (lib.sh sources it). Field tags name the shell variables.
type commonEnv struct {
	Role            string `env:"ROLE"`
	TeleportVersion string `env:"TELEPORT_VERSION"`
	TeleportEdition string `env:"TELEPORT_EDITION"`
	// TeleportPreinstalled: the image should have the release (see
	// Install.Preinstalled).
	TeleportPreinstalled bool   `env:"TELEPORT_PREINSTALLED,omitempty"`
	AMIGeneration        string `env:"AMI_GENERATION"`
	GroupName            string `env:"GROUP_NAME"`
	ConfigPath           string `env:"CONFIG_PATH"`
	DataDir              string `env:"DATA_DIR"`
	MetricNamespace      string `env:"METRIC_NAMESPACE"`
	BootWaitMetric       string `env:"BOOT_WAIT_METRIC"`
	BootFailuresMetric   string `env:"BOOT_FAILURES_METRIC"`
	CAPinParameter       string `env:"CA_PIN_PARAMETER"`
	RolloutParameter     string `env:"ROLLOUT_PARAMETER"`
	CertDomain           string `env:"CERT_DOMAIN"`
	CertBucket           string `env:"CERT_BUCKET"`
	CertBucketRegion     string `env:"CERT_BUCKET_REGION"`
	// CertbotStateKey: see CertbotStateKey.
	CertbotStateKey string `env:"CERTBOT_STATE_KEY"`
	// HealthzURL is Teleport's liveness endpoint on the diagnostic port.
	HealthzURL             string `env:"HEALTHZ_URL"`
	WatchdogFailureSeconds int    `env:"WATCHDOG_FAILURE_SECONDS"`
	// LaunchHook is the group's launch lifecycle hook: the boot completes
	// it (CONTINUE) once ReadyzURL answers 200, or abandons the instance
	// after ReadyTimeoutSeconds (lib.sh: admit_when_ready).
	LaunchHook          string `env:"LAUNCH_HOOK"`
	ReadyzURL           string `env:"READYZ_URL"`
	ReadyTimeoutSeconds int    `env:"READY_TIMEOUT_SECONDS"`
	// TeleportLogDir holds Teleport's log file; AgentConfig is the
	// CloudWatch agent's configuration, AgentMinVersion the oldest agent
	// teleport-telemetry accepts (telemetry.go).
	TeleportLogDir  string `env:"TELEPORT_LOG_DIR"`
	AgentConfig     string `env:"CLOUDWATCH_AGENT_CONFIG"`
	AgentMinVersion string `env:"CLOUDWATCH_AGENT_MIN_VERSION"`
}

// authEnv is the environment file of the auth instances.
type authEnv struct {
	commonEnv
	SessionsKeyTag        string `env:"SESSIONS_KEY_TAG"`
	LicenseParameter      string `env:"LICENSE_PARAMETER"`
	LicensePath           string `env:"LICENSE_PATH"`
	ProxyRolesPath        string `env:"PROXY_ROLES_PATH"`
	ProxyRolePrefix       string `env:"PROXY_ROLE_PREFIX"`
	LocksTable            string `env:"LOCKS_TABLE"`
	ACMEEmail             string `env:"ACME_EMAIL"`
	ACMEStaging           bool   `env:"ACME_STAGING"`
	CertbotVersion        string `env:"CERTBOT_VERSION"`
	CertificateDaysMetric string `env:"CERTIFICATE_DAYS_METRIC"`
	// CertbotLockComplete installs certbot with pip --require-hashes from
	// certbot-requirements.txt; false while that lock lacks hashes.
	CertbotLockComplete bool `env:"CERTBOT_LOCK_COMPLETE"`
}

// proxyEnv is the environment file of the proxy instances.
type proxyEnv struct {
	commonEnv
	AuthRegion string `env:"AUTH_REGION"`
	// PeerAddressPath is the metadata path of the instance's own peer
	// address ("local-ipv4" or "public-ipv4"), empty without peering.
	PeerAddressPath             string `env:"PEER_ADDRESS_PATH"`
	TLSDir                      string `env:"TLS_DIR"`
	DrainHook                   string `env:"DRAIN_HOOK"`
	DrainTimeoutSeconds         int    `env:"DRAIN_TIMEOUT_SECONDS"`
	ServedCertificateDaysMetric string `env:"SERVED_CERTIFICATE_DAYS_METRIC"`
}

// renderEnv writes a struct of string, bool and int fields (embedded structs
// flattened; a tag option omitempty skips zero values) as shell assignments, one a line, each value single-quoted. A
// value that cannot be a line of such a file is an error, not a boot that
// sources something else.
func renderEnv(v any) (string, error) {
	var b strings.Builder
	b.WriteString("# Settings of this instance's role, rendered from the cluster config by\n" +
		"# constructs/teleportconfig (env.go). Sourced by the boot scripts.\n" +
		"# shellcheck disable=SC2034\n")
	if err := writeEnv(&b, reflect.ValueOf(v)); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeEnv(b *strings.Builder, v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if f.Anonymous {
			if err := writeEnv(b, fv); err != nil {
				return err
			}
			continue
		}
		name, opt, _ := strings.Cut(f.Tag.Get("env"), ",")
		if name == "" {
			return fmt.Errorf("environment field %s has no env tag", f.Name)
		}
		// omitempty leaves a zero value out (the scripts default it), so
		// that adding a setting does not change, and roll, the user data
		// of every instance that does not use it.
		if opt == "omitempty" && fv.IsZero() {
			continue
		}
		var value string
		switch fv.Kind() {
		case reflect.String:
			value = fv.String()
		case reflect.Bool:
			value = strconv.FormatBool(fv.Bool())
		case reflect.Int:
			value = strconv.FormatInt(fv.Int(), 10)
		default:
			return fmt.Errorf("environment field %s: unsupported type %s", f.Name, fv.Kind())
		}
		if strings.ContainsAny(value, "\n\r\x00") {
			return fmt.Errorf("environment value %s=%q: contains a line break or NUL", name, value)
		}
		fmt.Fprintf(b, "%s=%s\n", name, shellQuote(value))
	}
	return nil
}

// shellQuote single-quotes s for bash.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
