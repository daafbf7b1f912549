package teleportconfig

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"text/template"

	"go.yaml.in/yaml/v3"
)

//go:embed scripts/*.tmpl
var scriptFS embed.FS

// scripts is parsed once per call: templates are tiny and this keeps the
// package free of globals initialised at import time.
func scripts() (*template.Template, error) {
	return template.ParseFS(scriptFS, "scripts/*.tmpl")
}

// Edition values accepted by Teleport's install script.
const (
	EditionOSS        = "oss"
	EditionEnterprise = "enterprise"
)

// AuthServerTag is the instance tag that carries the auth NLB DNS name to the
// proxies. The name is only known after the auth stack is applied, so it
// cannot be baked into user data rendered at synth time; the launch template
// tags the instances with it and the metadata service exposes the tag.
const AuthServerTag = "TeleportAuthServer"

// SessionsKeyTag is the instance tag that carries the ARN of the KMS key for
// session recordings to the auth instances, for the same reason.
const SessionsKeyTag = "TeleportSessionsKey"

const accountPlaceholder = "__ACCOUNT_ID__"

type substitution struct{ From, Var string }

// Install says which Teleport release to install.
type Install struct {
	// Version is the exact release, e.g. "17.4.8".
	Version string
	// Edition is EditionOSS or EditionEnterprise.
	Edition string
}

// AuthUserData holds what the auth boot script needs besides teleport.yaml.
type AuthUserData struct {
	Install
	// Config is the rendered Auth Service configuration.
	Config *File
	// LicenseParameter is the SSM parameter with the Enterprise license.
	LicenseParameter string
	// JoinToken is the name of the IAM join token for proxies.
	JoinToken string
	// ProxyRoleNamePattern matches the IAM role names of every proxy region
	// (e.g. "example-proxy-*"), so adding a region never changes the auth side.
	ProxyRoleNamePattern string
	// Cert configures certificate renewal.
	Cert Certificate
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
	// TLSDir is where proxies keep the certificate (set by Render).
	TLSDir string
}

// ProxyUserData holds what the proxy boot script needs besides teleport.yaml.
type ProxyUserData struct {
	Install
	// Config is the rendered Proxy Service configuration.
	Config *File
	// PublicPeering makes the peer address the instance's public IPv4
	// address instead of its private one.
	PublicPeering bool
	// Cert locates the certificate to fetch.
	Cert Certificate
}

// token is the Teleport provision token resource for the IAM join method.
type token struct {
	Kind     string `yaml:"kind"`
	Version  string `yaml:"version"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Roles      []string    `yaml:"roles"`
		JoinMethod string      `yaml:"join_method"`
		Allow      []tokenRule `yaml:"allow"`
	} `yaml:"spec"`
}

type tokenRule struct {
	AWSAccount quoted `yaml:"aws_account"`
	AWSARN     string `yaml:"aws_arn"`
}

// quoted is a string always written in double quotes, so that a value filled
// in later (an all-digit account id) still parses as a string.
type quoted string

func (q quoted) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: string(q)}, nil
}

// JoinTokenYAML renders the proxies' IAM join token. The account id is a
// placeholder filled in at boot from the instance identity document.
func JoinTokenYAML(name, roleNamePattern string) (string, error) {
	var t token
	t.Kind, t.Version = "token", "v2"
	t.Metadata.Name = name
	t.Spec.Roles = []string{"Proxy"}
	t.Spec.JoinMethod = "iam"
	t.Spec.Allow = []tokenRule{{
		AWSAccount: quoted(accountPlaceholder),
		AWSARN:     "arn:aws:sts::" + accountPlaceholder + ":assumed-role/" + roleNamePattern + "/i-*",
	}}
	out, err := yaml.Marshal(&t)
	if err != nil {
		return "", fmt.Errorf("render join token: %w", err)
	}
	return string(out), nil
}

// Render returns the auth boot script.
func (u AuthUserData) Render() (string, error) {
	cfg, err := u.Config.Marshal()
	if err != nil {
		return "", err
	}
	tok, err := JoinTokenYAML(u.JoinToken, u.ProxyRoleNamePattern)
	if err != nil {
		return "", err
	}
	return execute("auth.sh.tmpl", map[string]any{
		"Role": "Auth Service", "Version": u.Version, "Edition": u.Edition,
		"DataDir": DataDir, "ConfigPath": ConfigPath, "TeleportYAML": cfg,
		"Substitutions": []substitution{
			{PlaceholderNodeName, "INSTANCE_ID"},
			{PlaceholderSessionsKey, "SESSIONS_KEY"},
		},
		"SessionsKeyTag":   SessionsKeyTag,
		"LicenseParameter": u.LicenseParameter, "LicensePath": LicensePath,
		"JoinTokenYAML": tok, "AccountPlaceholder": accountPlaceholder,
		"Cert": u.Cert,
	})
}

// Render returns the proxy boot script.
func (u ProxyUserData) Render() (string, error) {
	cfg, err := u.Config.Marshal()
	if err != nil {
		return "", err
	}
	cert := u.Cert
	cert.TLSDir = TLSDir
	peer := "local-ipv4"
	if u.PublicPeering {
		peer = "public-ipv4"
	}
	return execute("proxy.sh.tmpl", map[string]any{
		"Role": "Proxy Service", "Version": u.Version, "Edition": u.Edition,
		"DataDir": DataDir, "ConfigPath": ConfigPath, "TeleportYAML": cfg,
		"Substitutions": []substitution{
			{PlaceholderNodeName, "INSTANCE_ID"},
			{PlaceholderAuthServer, "AUTH_SERVER"},
			{PlaceholderPeerHost, "PEER_HOST"},
		},
		"AuthServerTag": AuthServerTag, "PeerAddressPath": peer,
		"Cert": cert,
	})
}

func execute(name string, data map[string]any) (string, error) {
	t, err := scripts()
	if err != nil {
		return "", fmt.Errorf("parse boot script templates: %w", err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

// Base64 encodes a boot script for a launch template's user_data. Encoding
// in Go keeps the script out of Terraform functions, whose HCL rendering
// mangles backslashes and quotes.
func Base64(script string) string {
	return base64.StdEncoding.EncodeToString([]byte(script))
}
