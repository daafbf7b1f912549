package teleportconfig

import (
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// randomName is a DNS-ish name of n characters that gzip cannot shorten
// much: the worst case for the size of the user data.
func randomName(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
		if i%60 == 59 {
			b[i] = '.'
		}
	}
	return string(b)
}

// The largest user data the config allows stays under EC2's 16 KB limit
// on raw (compressed, before base64) user data: a 251-character domain, a
// 24-character cluster name in every resource name, a 1011-character
// license parameter name (SSM's limit), a 254-character email.
func TestUserDataSizeWorstCase(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	domain := randomName(r, 251)
	cluster := randomName(r, 24)
	cert := Certificate{Domain: domain, Bucket: cluster + "-certs-" + randomName(r, 12), BucketRegion: "ap-southeast-4",
		LocksTable: cluster + "-locks", Email: randomName(r, 240) + "@example.com", Staging: true}
	telemetry := Telemetry{Cluster: cluster, Region: "ap-southeast-4", LogGroup: "/teleport/" + cluster + "/auth", MetricsLogGroup: "/teleport/" + cluster + "/auth-metrics"}
	auth, err := AuthUserData{Telemetry: telemetry, Install: Install{Version: "17.10.100", Edition: EditionEnterprise},
		Config: AuthConfig(AuthParams{ClusterName: domain, Region: "ap-southeast-4", StateTable: cluster + "-state", EventsTable: cluster + "-events",
			RecordingsBucket: cluster + "-recordings-" + randomName(r, 12), ProxyPeering: true, AgentConnectionCount: 10, Enterprise: true}),
		GroupName: cluster + "-auth", LicenseParameter: "/" + randomName(r, 1010), JoinToken: cluster + "-proxy-iam",
		ProxyRolesPath: "/teleport/" + cluster + "/proxy-roles", ProxyRolePrefix: cluster + "-proxy-", CAPinParameter: "/teleport/" + cluster + "/ca-pin",
		RolloutParameter: "/teleport/" + cluster + "/auth-rollout", AMIGeneration: randomName(r, 12), Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := ProxyUserData{Telemetry: telemetry, Install: Install{Version: "17.10.100", Edition: EditionEnterprise},
		Config:       ProxyConfig(ProxyParams{Domain: domain, JoinToken: cluster + "-proxy-iam", ProxyPeering: true}),
		ProxyPeering: true, PublicPeering: true, AuthRegion: "ap-southeast-4", CAPinParameter: "/teleport/" + cluster + "/ca-pin",
		RolloutParameter: "/teleport/" + cluster + "/auth-rollout", AMIGeneration: randomName(r, 12),
		LaunchHook: cluster + "-proxy-wait-for-auth", GroupName: cluster + "-proxy", Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for role, ud := range map[string]string{"auth": auth, "proxy": proxy} {
		n := len(Compress(ud))
		t.Logf("%s user data: %d bytes raw, %d compressed (limit %d)", role, len(ud), n, MaxUserDataBytes)
		// A margin for the scripts to grow: fail before EC2 would.
		if n > MaxUserDataBytes-2048 {
			t.Errorf("%s user data compresses to %d bytes; EC2 accepts %d, keep 2 KB free", role, n, MaxUserDataBytes)
		}
		back, err := DecodeUserData(UserDataBase64(ud))
		if err != nil || back != ud {
			t.Errorf("%s user data does not decode to itself: %v", role, err)
		}
	}
}

// Compression is deterministic: the same user data, the same bytes.
func TestUserDataDeterministic(t *testing.T) {
	ud := testAuthUserData(t, "/l")
	if UserDataBase64(ud) != UserDataBase64(testAuthUserData(t, "/l")) {
		t.Error("two renders differ")
	}
}

func TestEnvQuotesValues(t *testing.T) {
	type env struct {
		S string `env:"S"`
		B bool   `env:"B"`
		N int    `env:"N"`
	}
	out, err := renderEnv(env{S: "it's $(x) `y`", B: true, N: 300})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `S='it'\''s $(x) `+"`y`'\n") || !strings.Contains(out, "B='true'\n") || !strings.Contains(out, "N='300'\n") {
		t.Errorf("env:\n%s", out)
	}
	if _, err := renderEnv(env{S: "a\nB=x"}); err == nil || !strings.Contains(err.Error(), "S=") {
		t.Errorf("a value with a line break: %v", err)
	}
}

// Every variable a script reads is set: by the role's environment file, by
// lib.sh, or by the script itself. A misspelt setting fails here, not at a
// boot (where set -u would stop the script).
func TestScriptsReadOnlyKnownVariables(t *testing.T) {
	ref := regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)[}:#%/]`)
	assign := regexp.MustCompile(`(?m)(?:^|[\s;(])(?:local |export )?([A-Z][A-Z0-9_]*)(?:=|\+=)|(?:for|read(?: -r)?) ([A-Z][A-Z0-9_]*)`)
	external := map[string]bool{"TELEPORT_BOOT_ROOT": true, "TELEPORT_BOOT_IMDS": true, "WAIT_HOOK": true}
	lib, _ := scriptFS.ReadFile("scripts/lib.sh")
	for role, ud := range map[string]string{"auth": testAuthUserData(t, "/l"), "proxy": testProxyUserData(t, true)} {
		files, err := BootFiles(ud)
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for name := range external {
			known[name] = true
		}
		for name := range mustEnv(t, ud) {
			known[name] = true
		}
		for _, m := range assign.FindAllStringSubmatch(string(lib), -1) {
			known[m[1]+m[2]] = true
		}
		for _, p := range scriptsOf(files) {
			own := map[string]bool{}
			for _, m := range assign.FindAllStringSubmatch(files[p], -1) {
				own[m[1]+m[2]] = true
			}
			var unknown []string
			for _, m := range ref.FindAllStringSubmatch(files[p], -1) {
				if !known[m[1]] && !own[m[1]] {
					unknown = append(unknown, m[1])
				}
			}
			sort.Strings(unknown)
			if len(unknown) > 0 {
				t.Errorf("%s %s reads variables nothing sets: %v", role, p, unknown)
			}
		}
	}
}

func mustEnv(t *testing.T, ud string) map[string]string {
	t.Helper()
	env, err := BootEnv(ud)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// Each script of scripts/ is installed by some role, and each installed
// file is the embedded one without its comments, byte for byte.
func TestEveryScriptIsInstalled(t *testing.T) {
	installed := map[string]bool{"lib.sh": true, "bootstrap.sh.tmpl": true, "units": true}
	for _, ud := range []string{testAuthUserData(t, "/l"), testProxyUserData(t, true)} {
		files, err := BootFiles(ud)
		if err != nil {
			t.Fatal(err)
		}
		for p, body := range files {
			name := BootFileName(p)
			installed[name] = true
			for dir, strip := range map[string]func(string) string{"scripts/": stripShell, "scripts/units/": stripUnit} {
				if name == "certbot-requirements.txt" {
					strip = stripRequirements
				}
				if want, err := scriptFS.ReadFile(dir + name); err == nil && strip(string(want)) != body {
					t.Errorf("%s differs from %s%s without its comments", p, dir, name)
				}
			}
		}
	}
	entries, err := os.ReadDir("scripts")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !installed[e.Name()] {
			t.Errorf("scripts/%s is installed by no role", e.Name())
		}
	}
}
