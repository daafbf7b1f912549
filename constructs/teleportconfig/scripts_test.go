package teleportconfig

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Behaviour tests of the boot scripts: each scenario runs the real scripts
// of a rendered user data in a sandbox (sandbox_test.go) and asserts what
// they did.

func testCert() Certificate {
	return Certificate{Domain: "a.example.com", Bucket: "certs-b", BucketRegion: "us-west-2", LocksTable: "x-locks", Email: "ops@example.com"}
}

func testTelemetry() Telemetry {
	return Telemetry{Cluster: "x", Region: "us-west-2", LogGroup: "/teleport/x/auth", MetricsLogGroup: "/teleport/x/auth-metrics"}
}

func testAuthUserData(t *testing.T, license string) string {
	t.Helper()
	out, err := AuthUserData{Telemetry: testTelemetry(), Install: Install{Version: "17.4.8", Edition: EditionEnterprise},
		Config:    AuthConfig(AuthParams{ClusterName: "a.example.com", Region: "us-west-2", RecordingsBucket: "rec", ProxyPeering: true, Enterprise: license != ""}),
		GroupName: "x-auth", LaunchHook: "x-auth-launch", LicenseParameter: license, JoinToken: "x-proxy-iam", ProxyRolesPath: "/teleport/x/proxy-roles", ProxyRolePrefix: "x-proxy-",
		CAPinParameter: "/teleport/x/ca-pin", RolloutParameter: "/teleport/x/auth-rollout", AMIGeneration: "gen1", Cert: testCert()}.Render()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testProxyUserData(t *testing.T, peering bool) string {
	t.Helper()
	return testProxyUserDataFor(t, peering, testCert())
}

func testProxyUserDataFor(t *testing.T, peering bool, cert Certificate) string {
	t.Helper()
	out, err := ProxyUserData{Telemetry: testTelemetry(), Install: Install{Version: "17.4.8", Edition: EditionEnterprise},
		Config:       ProxyConfig(ProxyParams{Domain: cert.Domain, JoinToken: "x-proxy-iam", AuthServer: "auth.internal.example", ProxyPeering: peering}),
		ProxyPeering: peering, AuthRegion: "us-west-2", CAPinParameter: "/teleport/x/ca-pin",
		RolloutParameter: "/teleport/x/auth-rollout", AMIGeneration: "gen1", LaunchHook: "x-proxy-wait-for-auth", GroupName: "x-proxy",
		Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rolloutState is the auth servers' published state as the gate reads it.
func rolloutState(servers int, version, generation string, age time.Duration) string {
	return fmt.Sprintf(`{"generations":["%s"],"servers":%d,"teleport":"%s","updated":%d}`,
		generation, servers, version, time.Now().Add(-age).Unix())
}

// proxyAWS answers the proxy's AWS calls: the CA pin appears on the
// pinAfter-th read, the rollout state is state.
func proxyAWS(pinAfter int, state string) string {
	return fmt.Sprintf(`case "$*" in
*"get-parameter"*ca-pin*) [ "$(count ca-pin)" -ge %d ] || { echo "An error occurred (ParameterNotFound)" >&2; exit 254; }; echo sha256:1111,sha256:2222 ;;
*"get-parameter"*auth-rollout*) echo '%s' ;;
*"s3 cp"*) echo "fatal error: An error occurred (404)" >&2; exit 1 ;;
esac`, pinAfter, state)
}

func TestProxyBootWaitsForCAPinThenStarts(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": proxyAWS(3, rolloutState(2, "17.4.8", "gen1", 0))})
	out, code := s.run("/usr/local/bin/teleport-boot-proxy")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if n := s.count("aws ssm get-parameter", "ca-pin"); n != 3 {
		t.Errorf("read the CA pin %d times; want 3 (absent twice, then published)", n)
	}
	s.mustCall("aws autoscaling record-lifecycle-action-heartbeat", "--lifecycle-hook-name x-proxy-wait-for-auth", "--instance-id i-0123456789abcdef0")
	s.mustCall("aws cloudwatch put-metric-data", "--metric-name BootWaitSeconds", "AutoScalingGroupName=x-proxy")
	cfg := s.read(ConfigPath)
	for _, want := range []string{"nodename: i-0123456789abcdef0", "auth_server: auth.internal.example:3025",
		"ca_pin: [sha256:1111,sha256:2222]", "peer_public_addr: 10.1.2.3:3021"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("teleport.yaml lacks %q:\n%s", want, cfg)
		}
	}
	s.before([]string{"install.sh 17.4.8 enterprise"}, []string{"systemctl restart teleport"})
	s.before([]string{"systemctl restart teleport"}, []string{"aws autoscaling complete-lifecycle-action", "--lifecycle-action-result CONTINUE"})
	s.before([]string{"systemctl enable --now teleport-fetch-cert.timer"}, []string{"install.sh"})
	// Nothing published yet: the proxy serves a self-signed placeholder.
	if !strings.Contains(s.read(TLSDir+"/fullchain.pem"), "BEGIN CERTIFICATE") || !s.exists(TLSDir+"/privkey.pem") {
		t.Error("no placeholder certificate")
	}
	if !s.exists("/var/lib/teleport-boot/teleport-started") {
		t.Error("no started marker")
	}
}

func TestProxyWithoutPeeringLooksUpNoPeerAddress(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, false), map[string]string{"aws": proxyAWS(1, rolloutState(1, "17.4.8", "gen1", 0))})
	if out, code := s.run("/usr/local/bin/teleport-boot-proxy"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustNotCall("curl", "local-ipv4")
	if strings.Contains(s.read(ConfigPath), "peer_") {
		t.Error("peer keys without peering")
	}
}

// Both roles enter service only once Teleport answers /readyz with 200:
// until then they keep their launch hook alive; after ReadyTimeoutSeconds
// they report a failed boot and abandon the instance, which is what makes
// an instance refresh of a bad release roll back.
func TestBootAdmitsOnlyWhenReady(t *testing.T) {
	for _, tc := range []struct {
		name, role string
		readyAfter int // readyz calls before it answers 200; 0: never
	}{
		{"proxy ready after a while", "proxy", 8},
		{"proxy never ready", "proxy", 0},
		{"auth ready at once", "auth", 1},
		{"auth ready after a while", "auth", 8},
		{"auth never ready", "auth", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readyz := `exit 22`
			if tc.readyAfter > 0 {
				readyz = fmt.Sprintf(`[ "$(count readyz)" -ge %d ] || exit 22; echo '{"status":"ok"}'`, tc.readyAfter)
			}
			curl := strings.Replace(defaultStubs()["curl"], `*readyz) echo '{"status":"ok"}' ;;`, `*readyz) `+readyz+` ;;`, 1)
			if curl == defaultStubs()["curl"] {
				t.Fatal("the curl stand-in has no readyz answer to replace")
			}
			userData, hook, group, aws := testProxyUserData(t, true), "x-proxy-wait-for-auth", "x-proxy", proxyAWS(1, rolloutState(2, "17.4.8", "gen1", 0))
			if tc.role == "auth" {
				userData, hook, group, aws = testAuthUserData(t, "/teleport/license"), "x-auth-launch", "x-auth", authAWS
			}
			s := newSandbox(t, userData, map[string]string{"curl": curl, "aws": aws})
			// Two minutes instead of ReadyTimeoutSeconds: the same logic,
			// fewer turns of the fake clock.
			const timeout = 120
			env := s.read("/etc/teleport-boot/env")
			limited := strings.Replace(env, fmt.Sprintf("READY_TIMEOUT_SECONDS='%d'", ReadyTimeoutSeconds), fmt.Sprintf("READY_TIMEOUT_SECONDS='%d'", timeout), 1)
			if limited == env {
				t.Fatal("the environment file sets no READY_TIMEOUT_SECONDS")
			}
			s.write("/etc/teleport-boot/env", limited, 0o644)
			out, code := s.run("/usr/local/bin/teleport-boot-" + tc.role)
			s.before([]string{"systemctl restart teleport"}, []string{"curl", "/readyz"})
			if tc.readyAfter == 0 {
				if code == 0 {
					t.Fatalf("a boot whose Teleport never became ready succeeded:\n%s", out)
				}
				s.mustCall("aws autoscaling complete-lifecycle-action", "--lifecycle-hook-name "+hook, "--lifecycle-action-result ABANDON")
				s.mustNotCall("--lifecycle-action-result CONTINUE")
				if n := s.count("put-metric-data", "--metric-name BootFailures", "AutoScalingGroupName="+group); n != 1 {
					t.Errorf("%d BootFailures reports; want exactly 1 (the trap must not report it again)", n)
				}
				if !strings.Contains(out, "FAILED: ready:") {
					t.Errorf("the log does not say the readiness wait failed:\n%s", out)
				}
				if n := s.count("record-lifecycle-action-heartbeat", hook); n < timeout/60-1 {
					t.Errorf("%d heartbeats in %d s of waiting; want one a minute", n, timeout)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			last := 0
			for i, c := range s.calls() {
				if strings.Contains(c, "/readyz") {
					last = i
				}
			}
			cont := s.mustCall("aws autoscaling complete-lifecycle-action", "--auto-scaling-group-name "+group,
				"--lifecycle-hook-name "+hook, "--instance-id i-0123456789abcdef0", "--lifecycle-action-result CONTINUE")
			if cont < last {
				t.Error("the instance entered service before /readyz answered 200")
			}
			s.mustNotCall("--lifecycle-action-result ABANDON")
			if tc.readyAfter >= 8 && s.count("record-lifecycle-action-heartbeat", hook) < 1 {
				t.Error("no heartbeat while waiting minutes for readiness")
			}
		})
	}
}

// authAWS answers an auth instance's AWS calls: the license exists.
const authAWS = `case "$*" in *get-parameter*license*) echo LICENSE-PEM ;; esac`

// The launch gate admits a proxy only on a fresh state of live auth servers
// that run at least its release.
func TestLaunchGate(t *testing.T) {
	for _, tc := range []struct {
		name, state string
		admit       bool
	}{
		{"missing", "", false},
		{"no servers", rolloutState(0, "17.4.8", "gen1", 0), false},
		{"stale", rolloutState(2, "17.4.8", "gen1", 20*time.Minute), false},
		{"older release", rolloutState(2, "17.4.7", "gen1", 0), false},
		{"current", rolloutState(2, "17.4.8", "gen1", 0), true},
		{"newer release", rolloutState(2, "17.5.2", "gen1", 0), true},
		// Releases only: auth running another AMI generation (its own
		// refresh in progress) holds no proxy back.
		{"other AMI generation", rolloutState(2, "17.4.8", "gen0", 0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer := `echo '` + tc.state + `'`
			if tc.state == "" {
				answer = `echo "An error occurred (ParameterNotFound)" >&2; exit 254`
			}
			s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": answer})
			out, code := s.run("/usr/local/bin/teleport-launch-gate")
			if (code == 0) != tc.admit {
				t.Errorf("exit %d, want admit=%v:\n%s", code, tc.admit, out)
			}
			s.mustCall("aws ssm get-parameter", "--region us-west-2", "--name /teleport/x/auth-rollout")
		})
	}
}

// A proxy of a release newer than the auth servers' waits in its launch
// hook, keeping it alive, until auth runs the release.
func TestProxyBootWaitsForAuthRelease(t *testing.T) {
	aws := fmt.Sprintf(`case "$*" in
*ca-pin*) echo sha256:1111 ;;
*auth-rollout*) if [ "$(count auth-rollout)" -lt 4 ]; then echo '%s'; else echo '%s'; fi ;;
*"s3 cp"*) exit 1 ;;
esac`, rolloutState(2, "17.4.7", "gen1", 0), rolloutState(2, "17.4.8", "gen1", 0))
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": aws})
	if out, code := s.run("/usr/local/bin/teleport-boot-proxy"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.before([]string{"auth-rollout"}, []string{"systemctl restart teleport"})
	if n := s.count("record-lifecycle-action-heartbeat"); n < 3 {
		t.Errorf("%d heartbeats while waiting 3 minutes for auth; want one a minute", n)
	}
	last := 0
	for i, c := range s.calls() {
		if strings.Contains(c, "auth-rollout") {
			last = i
		}
	}
	if s.called("systemctl restart teleport") < last {
		t.Error("Teleport started before the gate opened")
	}
}

// tctl failing at first boot: the join token job retries, then says the
// step failed (log and BootFailures) and leaves the rest to its timer.
func TestJoinTokenRetriesTctl(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int
		ok       bool
	}{{"transient", 3, true}, {"for good", 100, false}} {
		t.Run(tc.name, func(t *testing.T) {
			tctl := fmt.Sprintf(`case "$1" in
status) [ "$(count 'tctl status')" -gt %d ] || { echo "ERROR: connection refused" >&2; exit 1; } ;;
esac`, tc.failures)
			aws := `case "$*" in
*get-parameters-by-path*) echo '{"Parameters":[{"Name":"/teleport/x/proxy-roles/us-east-1","Value":"arn:aws:iam::123456789012:role/x-proxy-us-east-1"}]}' ;;
esac`
			s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"tctl": tctl, "aws": aws})
			s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
			out, code := s.run("/usr/local/bin/teleport-join-token")
			if (code == 0) != tc.ok {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			created := s.called("tctl create -f")
			failed := s.called("put-metric-data", "--metric-name BootFailures", "AutoScalingGroupName=x-auth")
			if tc.ok && (created < 0 || failed >= 0) {
				t.Errorf("want the token created, no failure metric:\n%s", strings.Join(s.calls(), "\n"))
			}
			if !tc.ok && (created >= 0 || failed < 0 || !strings.Contains(out, "FAILED: join-token")) {
				t.Errorf("want no token, a failure metric and log line:\n%s\n%s", out, strings.Join(s.calls(), "\n"))
			}
		})
	}
}

// The join token admits exactly the registered proxy roles of this account
// whose names start with the cluster's proxy prefix, is created again only
// when they change, and is left alone while no role is registered.
func TestJoinTokenAdmitsRegisteredRoles(t *testing.T) {
	listing := func(values ...string) string {
		var ps []string
		for i, v := range values {
			ps = append(ps, fmt.Sprintf(`{"Name":"/teleport/x/proxy-roles/r%d","Value":%q}`, i, v))
		}
		return `{"Parameters":[` + strings.Join(ps, ",") + `]}`
	}
	tctl := `case "$1" in
status) echo ok ;;
create) cp "$3" "${STUB_STATE}/token" ;;
esac`
	aws := func(answer string) string {
		return "case \"$*\" in\n*get-parameters-by-path*) echo '" + answer + "' ;;\nesac"
	}
	good1 := "arn:aws:iam::123456789012:role/x-proxy-eu-west-1"
	good2 := "arn:aws:iam::123456789012:role/x-proxy-us-east-1"
	s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"tctl": tctl, "aws": aws(listing(
		good2,
		"arn:aws:iam::999999999999:role/x-proxy-us-east-1", // another account
		"arn:aws:iam::123456789012:role/y-proxy-eu-west-1", // another cluster's name
		"arn:aws:iam::123456789012:role/x-proxy-a/../b",    // not a role name
		good1,
	))})
	s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
	if out, code := s.run("/usr/local/bin/teleport-join-token"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustCall("get-parameters-by-path", "--path /teleport/x/proxy-roles")
	var tok struct {
		Kind string `json:"kind"`
		Spec struct {
			Roles []string `json:"roles"`
			Allow []struct {
				AWSAccount string `json:"aws_account"`
				AWSARN     string `json:"aws_arn"`
			} `json:"allow"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(s.read("/stub-state/token")), &tok); err != nil {
		t.Fatalf("created token: %v\n%s", err, s.read("/stub-state/token"))
	}
	want := "[{123456789012 arn:aws:sts::123456789012:assumed-role/x-proxy-eu-west-1/i-*} {123456789012 arn:aws:sts::123456789012:assumed-role/x-proxy-us-east-1/i-*}]"
	if got := fmt.Sprint(tok.Spec.Allow); tok.Kind != "token" || got != want {
		t.Errorf("rules %s; want %s", got, want)
	}
	// Unchanged rules: no second create.
	if out, code := s.run("/usr/local/bin/teleport-join-token"); code != 0 || s.count("tctl create") != 1 {
		t.Errorf("exit %d, %d creates; want one:\n%s", code, s.count("tctl create"), out)
	}

	// Nothing registered: the job succeeds and creates nothing.
	empty := newSandbox(t, testAuthUserData(t, ""), map[string]string{"tctl": tctl, "aws": aws(listing())})
	empty.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
	out, code := empty.run("/usr/local/bin/teleport-join-token")
	if code != 0 || empty.called("tctl create") >= 0 || !strings.Contains(out, "no proxy role is registered") {
		t.Errorf("no roles: exit %d, calls %v:\n%s", code, empty.calls(), out)
	}
}

// A renewed license reaches a running auth server without a refresh: the
// timer job re-reads the parameter and reloads Teleport (a graceful restart)
// only when the file changed; a failure keeps the license it has and says
// why once.
func TestLicenseRefreshReloadsTeleport(t *testing.T) {
	aws := `case "$*" in
*"get-parameter --name /teleport/x/license"*)
  case "$(count "get-parameter --name /teleport/x/license")" in
  1|2) echo LICENSE-V1 ;;
  3|4) echo "An error occurred (ThrottlingException) when calling the GetParameter operation: Rate exceeded" >&2; exit 254 ;;
  *) echo LICENSE-V2 ;;
  esac ;;
esac`
	s := newSandbox(t, testAuthUserData(t, "/teleport/x/license"), map[string]string{"aws": aws})
	s.write(LicensePath, "LICENSE-V1\n", 0o600)
	s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
	run := func(wantCode int) string {
		t.Helper()
		out, code := s.run("/usr/local/bin/teleport-fetch-license")
		if code != wantCode {
			t.Fatalf("exit %d; want %d:\n%s", code, wantCode, out)
		}
		return out
	}
	run(0)
	run(0)
	if s.called("systemctl reload teleport") >= 0 {
		t.Errorf("reloaded Teleport for an unchanged license: %v", s.calls())
	}
	first, second := run(1), run(1)
	if !strings.Contains(first, "Rate exceeded") || second != "" || s.read(LicensePath) != "LICENSE-V1\n" {
		t.Errorf("a failed read: logged %q then %q, license %q; want the reason once and the license kept", first, second, s.read(LicensePath))
	}
	if out := run(0); !strings.Contains(out, "changed: reloading Teleport") || s.read(LicensePath) != "LICENSE-V2\n" || s.count("systemctl reload teleport") != 1 {
		t.Errorf("a renewed license: %q, license %q, calls %v", out, s.read(LicensePath), s.calls())
	}
}

// The user data itself: run as cloud-init would, it writes every file and
// runs the role's boot, whose output goes to the boot log.
func TestAuthUserDataBootsInOrder(t *testing.T) {
	ud := testAuthUserData(t, "/teleport/x/license")
	aws := `case "$*" in
*"get-parameter"*license*)
  case "$(count "get-parameter --name /teleport/x/license")" in
  1) echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter /teleport/x/license not found." >&2; exit 254 ;;
  2|3) echo "An error occurred (AccessDeniedException) when calling the GetParameter operation: User is not authorized to perform kms:Decrypt (Service: AWSKMS)" >&2; exit 254 ;;
  esac
  echo LICENSE-PEM ;;
esac`
	s := newSandbox(t, ud, map[string]string{"aws": aws})
	s.write("/userdata", ud, 0o755)
	if out, code := s.run("/userdata"); code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, s.read(bootLog))
	}
	for p, body := range s.files {
		if got := s.read(p); got != body {
			t.Errorf("user data wrote %s differently", p)
		}
	}
	log := s.read(bootLog)
	for _, want := range []string{"license parameter /teleport/x/license does not exist", "cannot read or decrypt the license parameter /teleport/x/license",
		"set license_kms_key_arn", "teleport-boot-auth: done"} {
		if !strings.Contains(log, want) {
			t.Errorf("boot log lacks %q:\n%s", want, log)
		}
	}
	if strings.Count(log, "cannot read or decrypt") != 1 {
		t.Errorf("the same license error is logged once, not at every retry:\n%s", log)
	}
	if s.read(LicensePath) != "LICENSE-PEM\n" {
		t.Errorf("license = %q", s.read(LicensePath))
	}
	s.mustCall("put-metric-data", "--metric-name BootWaitSeconds", "AutoScalingGroupName=x-auth")
	// Timers first: what the boot cannot finish, they retry.
	for _, timer := range []string{"teleport-publish-ca-pin", "teleport-join-token", "teleport-publish-rollout", "teleport-renew-cert"} {
		s.before([]string{"systemctl enable --now " + timer + ".timer"}, []string{"install.sh 17.4.8 enterprise"})
		s.before([]string{"systemctl restart teleport"}, []string{"systemctl start --no-block " + timer + ".service"})
	}
	cfg := s.read(ConfigPath)
	if !strings.Contains(cfg, "nodename: i-0123456789abcdef0") || !strings.Contains(cfg, "sse_kms_key=arn:aws:kms:us-west-2:123456789012:key/k") {
		t.Errorf("teleport.yaml placeholders not filled:\n%s", cfg)
	}
}

// teleport-configure never writes a file with a placeholder left.
func TestConfigureRefusesLeftPlaceholders(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), nil)
	out, code := s.run("/usr/local/bin/teleport-configure", "__NODENAME__=i-1")
	if code == 0 || !strings.Contains(out, "__CA_PIN__") || !strings.Contains(out, "__PEER_HOST__") || s.exists(ConfigPath) {
		t.Errorf("exit %d, wrote %v:\n%s", code, s.exists(ConfigPath), out)
	}
}

// The CA pin job publishes what tctl status shows, only when it changed.
func TestPublishCAPin(t *testing.T) {
	for _, tc := range []struct {
		name, current string
		put           bool
	}{{"first", "", true}, {"changed", "sha256:0000", true}, {"unchanged", "sha256:1111,sha256:2222", false}} {
		t.Run(tc.name, func(t *testing.T) {
			tctl := `[ "$1" = status ] && printf 'Cluster  a.example.com\nVersion  17.4.8\nCA pin   sha256:1111\nCA pin   sha256:2222\n'`
			aws := `case "$*" in *get-parameter*) echo '` + tc.current + `' ;; esac`
			s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"tctl": tctl, "aws": aws})
			s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
			if out, code := s.run("/usr/local/bin/teleport-publish-ca-pin"); code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			put := s.called("aws ssm put-parameter", "--name /teleport/x/ca-pin", "--type SecureString",
				"--key-id arn:aws:kms:us-west-2:123456789012:key/k", "--value sha256:1111,sha256:2222")
			if (put >= 0) != tc.put {
				t.Errorf("put = %v, want %v:\n%s", put >= 0, tc.put, strings.Join(s.calls(), "\n"))
			}
		})
	}
}

// Both roles hold the installed release (dnf versionlock) and run the
// watchdog; proxies also the drain handler.
func TestBootHoldsReleaseAndStartsWatchdog(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": proxyAWS(1, rolloutState(1, "17.4.8", "gen1", 0))})
	if out, code := s.run("/usr/local/bin/teleport-boot-proxy"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.before([]string{"install.sh 17.4.8 enterprise"}, []string{"dnf versionlock add teleport-ent-17.4.8"})
	s.mustCall("dnf install -y -q python3-dnf-plugin-versionlock")
	for _, timer := range []string{"teleport-watchdog", "teleport-drain", "teleport-fetch-cert"} {
		s.before([]string{"systemctl enable --now " + timer + ".timer"}, []string{"install.sh"})
	}
	auth := newSandbox(t, testAuthUserData(t, ""), nil)
	if out, code := auth.run("/usr/local/bin/teleport-boot-auth"); code != 0 {
		t.Fatalf("auth: exit %d:\n%s", code, out)
	}
	auth.mustCall("systemctl enable --now teleport-watchdog.timer")
	auth.mustNotCall("teleport-drain")
}

// A release that cannot be held is reported, and the boot goes on: the
// instance works, only host patching could move it.
func TestVersionlockFailureIsReported(t *testing.T) {
	s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"dnf": `echo "Error: Unable to find a match: python3-dnf-plugin-versionlock" >&2; exit 1`})
	out, code := s.run("/usr/local/bin/teleport-boot-auth")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "FAILED: versionlock") {
		t.Errorf("no failure logged:\n%s", out)
	}
	s.mustCall("put-metric-data", "--metric-name BootFailures", "AutoScalingGroupName=x-auth")
	s.mustCall("systemctl restart teleport")
}

// A boot that cannot finish says so once: log line and one BootFailures.
func TestBootFailureReportedOnce(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"curl": `case "$*" in
*install.sh) exit 22 ;;
*api/token*) echo token ;;
*instance-id) echo i-1 ;;
*region) echo eu-west-1 ;;
*tags/instance/*) echo auth.internal ;;
*) echo 10.0.0.1 ;;
esac`})
	out, code := s.run("/usr/local/bin/teleport-boot-proxy")
	if code == 0 || !strings.Contains(out, "FAILED: install") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if n := s.count("--metric-name BootFailures"); n != 1 {
		t.Errorf("%d BootFailures; want 1:\n%s", n, out)
	}
	s.mustNotCall("systemctl restart teleport")
	s.mustNotCall("complete-lifecycle-action")
}

// A metadata service that never answers: the boot gives up, says so.
func TestBootWithoutMetadata(t *testing.T) {
	s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"curl": `exit 7`})
	out, code := s.run("/usr/local/bin/teleport-boot-auth")
	if code == 0 || !strings.Contains(out, "FAILED: metadata") || s.count("--metric-name BootFailures") != 1 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// The timers that retry the rest were enabled before.
	s.mustCall("systemctl enable --now teleport-publish-ca-pin.timer")
}
