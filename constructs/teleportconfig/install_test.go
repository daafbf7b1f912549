package teleportconfig

import (
	"strings"
	"testing"
)

// On Teleport's published AMI (Install.Preinstalled) the boot downloads
// nothing when the image has the pinned release and edition, and runs
// Teleport with its own unit; on any other image, or a mismatching one, it
// installs the release from Teleport's repository.
func TestInstallOnTeleportImages(t *testing.T) {
	for _, tc := range []struct {
		name         string
		preinstalled bool
		edition      string
		version      string // what `teleport version` prints
		download     bool
	}{
		{"enterprise image of the release", true, EditionEnterprise, "Teleport Enterprise v18.9.0 git:v18.9.0-0-gabc go1.25.10", false},
		{"oss image of the release", true, EditionOSS, "Teleport v18.9.0 git:v18.9.0-0-gabc go1.25.10", false},
		{"image of another release", true, EditionEnterprise, "Teleport Enterprise v17.7.1 git:v17.7.1-0-gabc go1.25.10", true},
		{"oss binary where enterprise is pinned", true, EditionEnterprise, "Teleport v18.9.0 git:v18.9.0-0-gabc go1.25.10", true},
		{"image without Teleport", true, EditionEnterprise, "", true},
		{"Amazon Linux image", false, EditionEnterprise, "Teleport Enterprise v18.9.0 git:v18.9.0-0-gabc go1.25.10", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ud, err := ProxyUserData{Telemetry: testTelemetry(), Install: Install{Version: "18.9.0", Edition: tc.edition, Preinstalled: tc.preinstalled},
				Config:     ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "x-proxy-iam"}),
				AuthRegion: "us-west-2", CAPinParameter: "/teleport/x/ca-pin",
				RolloutParameter: "/teleport/x/auth-rollout", AMIGeneration: "gen1", LaunchHook: "x-proxy-wait-for-auth", GroupName: "x-proxy",
				Cert: testCert()}.Render()
			if err != nil {
				t.Fatal(err)
			}
			teleport := `echo "` + tc.version + `"`
			if tc.version == "" {
				teleport = `exit 127`
			}
			s := newSandbox(t, ud, map[string]string{"teleport": teleport})
			if out, code := s.run("/usr/local/bin/teleport-install"); code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			unit := "/etc/systemd/system/teleport.service"
			if tc.download {
				s.mustCall("install.sh 18.9.0 " + tc.edition)
				s.before([]string{"install.sh"}, []string{"dnf versionlock add"})
				if s.exists(unit) {
					t.Error("wrote its own teleport unit although it installed the package")
				}
				return
			}
			s.mustNotCall("install.sh")
			// No package on Teleport's image: nothing to hold.
			s.mustNotCall("dnf versionlock")
			s.mustCall("systemctl mask --now teleport-generate-config.service")
			s.before([]string{"systemctl mask"}, []string{"systemctl daemon-reload"})
			if u := s.read(unit); !strings.Contains(u, "ExecStart=/usr/local/bin/teleport start --config="+ConfigPath+" --pid-file=/run/teleport.pid") ||
				strings.Contains(u, "ConditionPathExists") || !strings.Contains(u, "ExecReload=/bin/kill -HUP $MAINPID") {
				t.Errorf("unit:\n%s", u)
			}
		})
	}
}

// An audit_events_uri naming the account's resources (the Athena backend)
// gets the account id from the instance identity document at boot; without
// one the document is not read.
func TestAuthBootFillsAccountID(t *testing.T) {
	for _, athena := range []bool{true, false} {
		params := AuthParams{ClusterName: "a.example.com", Region: "us-west-2", RecordingsBucket: "rec", EventsTable: "x-events"}
		if athena {
			params.AuditEventsURI = "athena://x_audit.events?topicArn=arn:aws:sns:us-west-2:" + PlaceholderAccountID + ":x-audit-events&queueURL=https://sqs.us-west-2.amazonaws.com/" + PlaceholderAccountID + "/x-audit-events"
		}
		ud, err := AuthUserData{Telemetry: testTelemetry(), Install: Install{Version: "17.4.8", Edition: EditionOSS}, Config: AuthConfig(params),
			GroupName: "x-auth", JoinToken: "x-proxy-iam", ProxyRolesPath: "/teleport/x/proxy-roles", ProxyRolePrefix: "x-proxy-",
			CAPinParameter: "/teleport/x/ca-pin", RolloutParameter: "/teleport/x/auth-rollout", AMIGeneration: "gen1", Cert: testCert()}.Render()
		if err != nil {
			t.Fatal(err)
		}
		s := newSandbox(t, ud, nil)
		if out, code := s.run("/usr/local/bin/teleport-boot-auth"); code != 0 {
			t.Fatalf("athena %v: exit %d:\n%s", athena, code, out)
		}
		cfg := s.read(ConfigPath)
		if athena {
			if !strings.Contains(cfg, "topicArn=arn:aws:sns:us-west-2:123456789012:x-audit-events") || !strings.Contains(cfg, "sqs.us-west-2.amazonaws.com/123456789012/x-audit-events") {
				t.Errorf("account id not filled in:\n%s", cfg)
			}
			continue
		}
		s.mustNotCall("curl", "instance-identity/document")
		if !strings.Contains(cfg, "dynamodb://x-events") {
			t.Errorf("events table missing:\n%s", cfg)
		}
	}
}
