package teleportconfig

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"text/template"
)

// The boot scripts are static files of this package (scripts/), embedded
// here and installed on the instances by a short user-data bootstrap, the
// way Teleport's own AMI is built: user data only writes configuration and
// files; the logic is in scripts with their own tests (scripts_test.go).
//
//go:embed scripts/*.sh scripts/teleport-* scripts/units/* scripts/bootstrap.sh.tmpl scripts/certbot-requirements.txt
var embedded embed.FS

// scriptFS is where the user data's files come from: the embedded ones
// (tests render edited copies).
var scriptFS fs.ReadFileFS = embedded

// Where the bootstrap puts things on the instances.
const (
	bootEtc   = "/etc/teleport-boot"
	bootLib   = "/usr/local/lib/teleport-boot"
	bootBin   = "/usr/local/bin"
	unitDir   = "/etc/systemd/system"
	bootLog   = "/var/log/teleport-boot.log"
	delimiter = "TELEPORT_BOOT_FILE"
)

// Roles: what each kind of instance installs and runs.
const (
	roleAuth  = "auth"
	roleProxy = "proxy"
)

// roleFiles lists the scripts and timer jobs of a role; the boot script is
// teleport-boot-<role>.
func roleFiles(role string) (scripts, timers []string) {
	common := []string{"teleport-install", "teleport-configure", "teleport-telemetry"}
	switch role {
	case roleAuth:
		return append(common, "teleport-boot-auth", "teleport-publish-ca-pin", "teleport-join-token",
				"teleport-publish-rollout", "teleport-renew-cert", "teleport-watchdog", "teleport-fetch-license"),
			[]string{"teleport-publish-ca-pin", "teleport-join-token", "teleport-publish-rollout", "teleport-renew-cert", "teleport-watchdog", "teleport-fetch-license"}
	default:
		return append(common, "teleport-boot-proxy", "teleport-launch-gate", "teleport-fetch-cert", "teleport-watchdog", "teleport-drain"),
			[]string{"teleport-fetch-cert", "teleport-watchdog", "teleport-drain"}
	}
}

// bootFile is one file the bootstrap writes.
type bootFile struct {
	Path, Mode, Content string
}

// bootstrapData is the bootstrap template's data: typed, so that a
// misspelt field fails the build's tests, not a boot.
type bootstrapData struct {
	Role, RolloutMarker, Boot, Log, Delimiter string
	Files                                     []bootFile
}

// bootstrap renders the user data of role: the environment file, the
// teleport.yaml template, extra files, and the role's scripts and units.
func bootstrap(role, version, amiGeneration, env, teleportYAML string, extra ...bootFile) (string, error) {
	files := []bootFile{
		{Path: EnvPath, Mode: "0644", Content: env},
		{Path: ConfigTemplatePath, Mode: "0600", Content: teleportYAML},
	}
	files = append(files, extra...)
	lib, err := scriptFS.ReadFile("scripts/lib.sh")
	if err != nil {
		return "", err
	}
	files = append(files, bootFile{Path: bootLib + "/lib.sh", Mode: "0644", Content: stripShell(string(lib))})
	scripts, timers := roleFiles(role)
	for _, name := range scripts {
		body, err := scriptFS.ReadFile("scripts/" + name)
		if err != nil {
			return "", err
		}
		files = append(files, bootFile{Path: bootBin + "/" + name, Mode: "0755", Content: stripShell(string(body))})
	}
	for _, name := range timers {
		for _, kind := range []string{".service", ".timer"} {
			body, err := scriptFS.ReadFile("scripts/units/" + name + kind)
			if err != nil {
				return "", err
			}
			files = append(files, bootFile{Path: unitDir + "/" + name + kind, Mode: "0644", Content: stripUnit(string(body))})
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Content, "\n") {
			return "", fmt.Errorf("user data file %s does not end with a newline", f.Path)
		}
		for _, line := range strings.Split(f.Content, "\n") {
			if line == delimiter {
				return "", fmt.Errorf("user data file %s contains the heredoc delimiter %s", f.Path, delimiter)
			}
		}
	}
	tmpl, err := template.New("bootstrap.sh.tmpl").Option("missingkey=error").ParseFS(scriptFS, "scripts/bootstrap.sh.tmpl")
	if err != nil {
		return "", fmt.Errorf("parse the user data template: %w", err)
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, bootstrapData{
		Role: role, RolloutMarker: RolloutMarker(version, amiGeneration), Boot: "teleport-boot-" + role,
		Log: bootLog, Delimiter: delimiter, Files: files,
	})
	if err != nil {
		return "", fmt.Errorf("render the %s user data: %w", role, err)
	}
	return b.String(), nil
}

// bootFileHeader matches the line that starts one file in the bootstrap.
func bootFileHeader() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^write (\S+) ([0-7]{4}) <<'` + delimiter + `'\n`)
}

// BootFiles returns the files a rendered user data writes, by path on the
// instance: what reviewers, the behaviour tests and make shellcheck read.
func BootFiles(userData string) (map[string]string, error) {
	files := map[string]string{}
	for _, m := range bootFileHeader().FindAllStringSubmatchIndex(userData, -1) {
		p := userData[m[2]:m[3]]
		rest := userData[m[1]:]
		end := strings.Index(rest, "\n"+delimiter+"\n")
		if strings.HasPrefix(rest, delimiter+"\n") {
			end = -1
		}
		if end < 0 {
			return nil, fmt.Errorf("user data: file %s has no end", p)
		}
		files[p] = rest[:end+1]
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("user data writes no files")
	}
	return files, nil
}

// BootFileName is the base name of a path BootFiles returns.
func BootFileName(p string) string { return path.Base(p) }

// UserDataBase64 encodes user data for a launch template: gzip-compressed
// (cloud-init decompresses gzip user data before it looks at the content,
// and EC2 limits raw user data to 16 KB; MaxUserDataBytes), then base64.
// Encoding in Go keeps the script out of Terraform functions, whose HCL
// rendering mangles backslashes and quotes. The output is deterministic: the
// gzip header carries no name and no time.
func UserDataBase64(userData string) string {
	return base64.StdEncoding.EncodeToString(Compress(userData))
}

// Compress is the gzip form of user data, as the instances receive it.
func Compress(userData string) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write([]byte(userData))
	_ = w.Close()
	return b.Bytes()
}

// MaxUserDataBytes is EC2's limit on user data before base64 encoding
// ("Run commands when you launch an EC2 instance with user data", EC2 user
// guide: "User data is limited to 16 KB, in raw form, before it is base64
// encoded").
const MaxUserDataBytes = 16 * 1024

// Paths of the data files the user data writes.
const (
	// EnvPath is the role's environment file (typed values, env.go).
	EnvPath = bootEtc + "/env"
	// ConfigTemplatePath is teleport.yaml with its boot-time placeholders;
	// teleport-configure writes ConfigPath from it.
	ConfigTemplatePath = bootEtc + "/teleport.yaml"
)

// DecodeUserData reverses UserDataBase64. User data synthesized before it
// was compressed (plain base64) decodes too, so that a synth diff against
// an older output still shows the scripts.
func DecodeUserData(encoded string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("user data is not base64: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		return string(raw), nil
	}
	r, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("user data is not gzip: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("user data: %w", err)
	}
	return string(out), nil
}

// BootEnv returns the settings of a rendered user data's environment file.
func BootEnv(userData string) (map[string]string, error) {
	files, err := BootFiles(userData)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(files[EnvPath], "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		env[name] = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(value, "'"), "'"), `'\''`, "'")
	}
	return env, nil
}
