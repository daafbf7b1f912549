package teleportconfig

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keypair returns a PEM key and self-signed certificate valid for days.
func keypair(t *testing.T, days int) (key, cert string) {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-days", fmt.Sprint(days), "-subj", "/CN=a.example.com", "-keyout", dir+"/k", "-out", dir+"/c").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	k, _ := os.ReadFile(dir + "/k")
	c, _ := os.ReadFile(dir + "/c")
	return string(k), string(c)
}

const bucketPath = "/stub-state/s3/certs-b"

func authCertSandbox(t *testing.T) *sandbox {
	s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"aws": fakeAWS("")})
	s.write("/opt/certbot/bin/certbot", stubPrelude+fakeCertbot+"\n", 0o755)
	return s
}

func (s *sandbox) renew() (string, int) {
	s.t.Helper()
	return s.run("/usr/local/bin/teleport-renew-cert")
}

// The first issuance registers one account, saves certbot's state
// (account and lineage) to the bucket, publishes key and chain as one
// object whose halves match, and releases the lock.
func TestRenewalFirstIssuance(t *testing.T) {
	s := authCertSandbox(t)
	out, code := s.renew()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.count("certbot register") != 1 || s.count("certbot issued") != 1 {
		t.Errorf("want one account and one certificate:\n%s", strings.Join(s.calls(), "\n"))
	}
	s.mustCall("certbot certonly", "--keep-until-expiring", "--dns-route53", "--cert-name teleport", "-d a.example.com", "-d *.a.example.com", "--email ops@example.com")
	if !s.exists(bucketPath + "/certbot/a.example.com/state.tar.gz") {
		t.Error("certbot's state is not in the bucket")
	}
	pub := s.read(bucketPath + "/live/a.example.com/keypair.pem")
	if !strings.Contains(pub, "PRIVATE KEY-----") || !strings.Contains(pub, "BEGIN CERTIFICATE") {
		t.Errorf("published object:\n%s", pub)
	}
	s.mustCall("aws dynamodb delete-item", "--table-name x-locks", "#owner = :me")
	s.mustCall("aws cloudwatch put-metric-data", "--metric-name CertificateDaysRemaining", "Domain=a.example.com")
}

// Issuance succeeds but the upload fails: the lock is released, and the
// next run publishes the same certificate without asking Let's Encrypt
// again (the lineage was saved first).
func TestRenewalRetriesUploadWithoutReissuing(t *testing.T) {
	s := authCertSandbox(t)
	s.write("/stub-state/fail-put-live_a.example.com_keypair.pem", "", 0o644)
	out, code := s.renew()
	if code == 0 || !strings.Contains(out, "could not publish the certificate; the next run retries without a new one") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.exists("/stub-state/lock") {
		t.Error("the lock is kept after a failed upload: the retry waits 20 minutes")
	}
	s.remove("/stub-state/fail-put-live_a.example.com_keypair.pem")
	// The next run is on another auth instance: only the bucket's state.
	os.RemoveAll(filepath.Join(s.root, "/var/lib/teleport-boot/certbot"))
	if out, code := s.renew(); code != 0 {
		t.Fatalf("retry: exit %d:\n%s", code, out)
	}
	if n := s.count("certbot issued"); n != 1 {
		t.Errorf("%d certificates issued; the retry must publish the first one", n)
	}
	if n := s.count("certbot register"); n != 1 {
		t.Errorf("%d ACME accounts registered; want one for the cluster", n)
	}
	if !s.exists(bucketPath + "/live/a.example.com/keypair.pem") {
		t.Error("not published on retry")
	}
}

// A renewal due (the published certificate has fewer than 30 days left)
// renews the lineage with the saved account.
func TestRenewalDueRenewsWithSavedAccount(t *testing.T) {
	s := authCertSandbox(t)
	if out, code := s.renew(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// Age the lineage and the published certificate: 10 days left.
	key, cert := keypair(t, 10)
	config := "/var/lib/teleport-boot/certbot"
	s.write(config+"/live/teleport/privkey.pem", key, 0o600)
	s.write(config+"/live/teleport/fullchain.pem", cert, 0o644)
	if out, err := exec.Command("tar", "-czf", filepath.Join(s.root, bucketPath, "certbot/a.example.com/state.tar.gz"), "-C", filepath.Join(s.root, config), ".").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	s.write(bucketPath+"/live/a.example.com/keypair.pem", key+cert, 0o644)
	if out, code := s.renew(); code != 0 {
		t.Fatalf("renewal: exit %d:\n%s", code, out)
	}
	if s.count("certbot issued") != 2 || s.count("certbot register") != 1 {
		t.Errorf("want a renewal with the first account:\n%s", strings.Join(s.calls(), "\n"))
	}
	if s.read(bucketPath+"/live/a.example.com/keypair.pem") == key+cert {
		t.Error("the renewed certificate is not published")
	}
}

// Nothing to do while the published certificate has more than 30 days.
func TestRenewalNotDue(t *testing.T) {
	s := authCertSandbox(t)
	key, cert := keypair(t, 60)
	s.write(bucketPath+"/live/a.example.com/keypair.pem", key+cert, 0o644)
	if out, code := s.renew(); code != 0 || !strings.Contains(out, "valid for 60 more days") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustNotCall("certbot certonly")
	s.mustNotCall("dynamodb put-item")
	s.mustCall("put-metric-data", "--metric-name CertificateDaysRemaining", "--value 60")
}

// A certificate published by the earlier scripts (two objects) is
// republished as one, without a new certificate.
func TestRenewalMigratesTwoObjects(t *testing.T) {
	s := authCertSandbox(t)
	key, cert := keypair(t, 60)
	s.write(bucketPath+"/live/a.example.com/privkey.pem", key, 0o644)
	s.write(bucketPath+"/live/a.example.com/fullchain.pem", cert, 0o644)
	if out, code := s.renew(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.read(bucketPath+"/live/a.example.com/keypair.pem") != key+cert {
		t.Error("not republished as one object")
	}
	s.mustNotCall("certbot certonly")
}

// The renewal lock held by another auth server: no certbot run.
func TestRenewalSkipsWhenLockHeld(t *testing.T) {
	s := authCertSandbox(t)
	s.write("/stub-state/lock", "99999999999", 0o644)
	if out, code := s.renew(); code != 0 || !strings.Contains(out, "another auth instance holds the renewal lock") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustCall("aws dynamodb put-item", "--table-name x-locks", "attribute_not_exists")
	s.mustNotCall("certbot certonly")
	s.mustNotCall("dynamodb delete-item")
}

// certbot failing (a failed validation) keeps the lock for its 20 minutes:
// Let's Encrypt allows 5 failed validations per name and hour.
func TestRenewalBacksOffAfterCertbotFailure(t *testing.T) {
	s := authCertSandbox(t)
	s.write("/stub-state/certbot-fails", "", 0o644)
	if out, code := s.renew(); code == 0 {
		t.Fatalf("exit 0:\n%s", out)
	}
	s.mustNotCall("dynamodb delete-item")
	if !s.exists("/stub-state/lock") {
		t.Error("lock released after a failed validation")
	}
}

// Saving the state fails: this instance keeps it and, on its next run,
// publishes from it rather than from the bucket's (older) state.
func TestRenewalKeepsUnsavedState(t *testing.T) {
	s := authCertSandbox(t)
	s.write("/stub-state/fail-put-certbot_a.example.com_state.tar.gz", "", 0o644)
	if out, code := s.renew(); code == 0 || !strings.Contains(out, "could not save certbot's state") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustNotCall("aws s3 cp", "live/a.example.com/keypair.pem", "--only-show-errors /") // not published yet
	s.remove("/stub-state/fail-put-certbot_a.example.com_state.tar.gz")
	if out, code := s.renew(); code != 0 {
		t.Fatalf("retry: exit %d:\n%s", code, out)
	}
	if s.count("certbot issued") != 1 || !s.exists(bucketPath+"/certbot/a.example.com/state.tar.gz") || !s.exists(bucketPath+"/live/a.example.com/keypair.pem") {
		t.Errorf("want one certificate, state saved and published:\n%s", strings.Join(s.calls(), "\n"))
	}
}

func proxyCertSandbox(t *testing.T) *sandbox {
	return newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": fakeAWS("")})
}

// Proxies install the published pair, and publish the days left of the
// certificate they serve.
func TestFetchCertInstallsPublishedCertificate(t *testing.T) {
	s := proxyCertSandbox(t)
	key, cert := keypair(t, 80)
	s.write(bucketPath+"/live/a.example.com/keypair.pem", key+cert, 0o644)
	if out, code := s.run("/usr/local/bin/teleport-fetch-cert"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.read(TLSDir+"/privkey.pem") != key || s.read(TLSDir+"/fullchain.pem") != cert {
		t.Error("published pair not installed")
	}
	s.mustCall("aws s3 cp", "s3://certs-b/live/a.example.com/keypair.pem", "--region us-west-2")
	s.mustCall("put-metric-data", "--metric-name ServedCertificateDaysRemaining", "AutoScalingGroupName=x-proxy", "--value 80")
}

// A key that does not match the certificate (a renewal half published, or
// a broken object) is never installed.
func TestFetchCertRefusesMismatchedPair(t *testing.T) {
	s := proxyCertSandbox(t)
	key, cert := keypair(t, 80)
	s.write(TLSDir+"/privkey.pem", key, 0o600)
	s.write(TLSDir+"/fullchain.pem", cert, 0o600)
	otherKey, _ := keypair(t, 80)
	_, newCert := keypair(t, 85)
	s.write(bucketPath+"/live/a.example.com/keypair.pem", otherKey+newCert, 0o644)
	out, code := s.run("/usr/local/bin/teleport-fetch-cert")
	if code == 0 || !strings.Contains(out, "do not match") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.read(TLSDir+"/privkey.pem") != key || s.read(TLSDir+"/fullchain.pem") != cert {
		t.Error("the served pair was replaced by a mismatched one")
	}
	s.mustCall("put-metric-data", "--metric-name ServedCertificateDaysRemaining", "--value 80")
}

// Nothing published yet at boot: a placeholder, reported as 0 days served
// and as time waited; the published certificate then replaces it.
func TestFetchCertPlaceholderThenPublished(t *testing.T) {
	s := proxyCertSandbox(t)
	if out, code := s.run("/usr/local/bin/teleport-fetch-cert", "--placeholder-if-missing"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(s.read(TLSDir+"/fullchain.pem"), "BEGIN CERTIFICATE") {
		t.Fatal("no placeholder")
	}
	s.mustCall("put-metric-data", "--metric-name ServedCertificateDaysRemaining", "--value 0")
	s.mustCall("put-metric-data", "--metric-name BootWaitSeconds", "AutoScalingGroupName=x-proxy")
	// The timer's next run, without a certificate: still the placeholder.
	if _, code := s.run("/usr/local/bin/teleport-fetch-cert"); code == 0 {
		t.Error("exit 0 without a published certificate")
	}
	key, cert := keypair(t, 89)
	s.write(bucketPath+"/live/a.example.com/keypair.pem", key+cert, 0o644)
	if out, code := s.run("/usr/local/bin/teleport-fetch-cert"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if s.read(TLSDir+"/fullchain.pem") != cert {
		t.Error("placeholder not replaced")
	}
	s.mustCall("put-metric-data", "--metric-name ServedCertificateDaysRemaining", "--value 89")
}

// A proxy at boot serves the placeholder only when S3 says nothing is
// published and no certificate was ever issued. Whatever else stands
// between it and the certificate keeps it waiting (exit 1, nothing to
// serve), and the log says what.
func TestFetchCertPlaceholderOnlyOnANewCluster(t *testing.T) {
	const live = bucketPath + "/live/a.example.com/"
	denied := "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden"
	for _, c := range []struct {
		name  string
		setup func(s *sandbox)
		says  string
	}{
		{"access denied", func(s *sandbox) {
			s.write("/stub-state/fail-get-live_a.example.com_keypair.pem", denied, 0o644)
			s.write("/stub-state/fail-list", "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied", 0o644)
		}, "cannot list s3://certs-b/live/a.example.com, so nothing says that no certificate is published: waiting (An error occurred (AccessDenied)"},
		{"KMS error", func(s *sandbox) {
			key, cert := keypair(t, 80)
			s.write(live+"keypair.pem", key+cert, 0o644)
			s.write("/stub-state/fail-get-live_a.example.com_keypair.pem",
				"download failed: An error occurred (AccessDenied) when calling the GetObject operation: User is not authorized to perform: kms:Decrypt", 0o644)
		}, "a certificate is published in s3://certs-b/live/a.example.com but this proxy cannot use it: waiting"},
		{"S3 unavailable", func(s *sandbox) {
			s.write("/stub-state/fail-get-live_a.example.com_keypair.pem", "fatal error: An error occurred (503) when calling the HeadObject operation: Service Unavailable", 0o644)
			s.write("/stub-state/fail-list", "An error occurred (InternalError) when calling the ListObjectsV2 operation (reached max retries: 2): We encountered an internal error. Please try again.", 0o644)
		}, "(InternalError)"},
		{"issued but not published", func(s *sandbox) {
			s.write(bucketPath+"/certbot/a.example.com/state.tar.gz", "state", 0o644)
		}, "a certificate was issued (s3://certs-b/certbot/a.example.com/state.tar.gz exists) but none is published"},
		{"published pair does not match", func(s *sandbox) {
			key, _ := keypair(t, 80)
			_, cert := keypair(t, 80)
			s.write(live+"keypair.pem", key+cert, 0o644)
		}, "a certificate is published in s3://certs-b/live/a.example.com but this proxy cannot use it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := proxyCertSandbox(t)
			c.setup(s)
			out, code := s.run("/usr/local/bin/teleport-fetch-cert", "--placeholder-if-missing")
			if code == 0 || !strings.Contains(out, c.says) {
				t.Fatalf("exit %d, want 1 and %q:\n%s", code, c.says, out)
			}
			if s.exists(TLSDir+"/fullchain.pem") || s.exists(TLSDir+"/privkey.pem") || s.exists("/var/lib/teleport-boot/serving-placeholder") {
				t.Error("a certificate to serve was written")
			}
			if strings.Contains(out, "placeholder") {
				t.Errorf("speaks of a placeholder:\n%s", out)
			}
			s.mustCall("put-metric-data", "--metric-name ServedCertificateDaysRemaining", "--value 0")
		})
	}
}

// A boot that cannot read the bucket waits in its launch hook, keeping it
// alive, and starts Teleport with the published certificate once it can:
// no placeholder in between.
func TestProxyBootWaitsForAReadableCertificate(t *testing.T) {
	const unreadable = 4 // attempts
	aws := fakeAWS(fmt.Sprintf(`*"get-parameter"*ca-pin*) echo sha256:1111; exit 0 ;;
*"get-parameter"*auth-rollout*) echo '%s'; exit 0 ;;
*"s3 cp"*keypair.pem*|*list-objects-v2*)
  if [ "$(count 'keypair.pem')" -le %d ]; then echo "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied" >&2; exit 254; fi ;;`,
		rolloutState(2, "17.4.8", "gen1", 0), unreadable))
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": aws})
	key, cert := keypair(t, 80)
	s.write(bucketPath+"/live/a.example.com/keypair.pem", key+cert, 0o644)
	out, code := s.run("/usr/local/bin/teleport-boot-proxy")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if n := s.count("aws s3 cp", "keypair.pem"); n != unreadable+1 {
		t.Errorf("%d reads of the certificate; want %d (denied %d times, then read)", n, unreadable+1, unreadable)
	}
	for _, want := range []string{"cannot read the certificate in s3://certs-b/live/a.example.com: An error occurred (AccessDenied)",
		"waiting for a certificate to serve"} {
		if !strings.Contains(out+s.read("/var/log/teleport-boot.log"), want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "placeholder") || s.exists("/var/lib/teleport-boot/serving-placeholder") {
		t.Errorf("served a placeholder:\n%s", out)
	}
	if s.read(TLSDir+"/fullchain.pem") != cert {
		t.Error("the published certificate is not installed")
	}
	s.mustCall("aws autoscaling record-lifecycle-action-heartbeat", "--lifecycle-hook-name x-proxy-wait-for-auth")
	s.before([]string{"aws autoscaling record-lifecycle-action-heartbeat"}, []string{"systemctl restart teleport"})
	s.before([]string{"systemctl restart teleport"}, []string{"aws autoscaling complete-lifecycle-action", "--lifecycle-action-result CONTINUE"})
}

// OpenSSL refuses a subject CN over 64 characters (RFC 5280's upper bound);
// a cluster domain may be longer. The placeholder names the domain and its
// wildcard in the SAN only.
func TestFetchCertPlaceholderForALongDomain(t *testing.T) {
	domain := strings.Repeat("a", 58) + ".example.com"
	if len(domain) != 70 {
		t.Fatalf("domain of %d characters", len(domain))
	}
	cert := testCert()
	cert.Domain = domain
	s := newSandbox(t, testProxyUserDataFor(t, true, cert), map[string]string{"aws": fakeAWS("")})
	if out, code := s.run("/usr/local/bin/teleport-fetch-cert", "--placeholder-if-missing"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustCall("aws s3api list-objects-v2", "--prefix live/"+domain+"/")
	s.mustCall("aws s3api list-objects-v2", "--prefix certbot/"+domain+"/state.tar.gz")
	out, err := exec.Command("openssl", "x509", "-noout", "-subject", "-ext", "subjectAltName", "-in", filepath.Join(s.root, TLSDir, "fullchain.pem")).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "DNS:"+domain+", DNS:*."+domain) {
		t.Errorf("the SAN lacks the domain and its wildcard:\n%s", out)
	}
	if strings.Contains(string(out), "CN") {
		t.Errorf("a subject CN:\n%s", out)
	}
	if !keypairMatches(t, s.read(TLSDir+"/privkey.pem"), s.read(TLSDir+"/fullchain.pem")) {
		t.Error("the placeholder's key is not its certificate's")
	}
}

// keypairMatches: key is the private key of cert.
func keypairMatches(t *testing.T, key, cert string) bool {
	t.Helper()
	dir := t.TempDir()
	_ = os.WriteFile(dir+"/k", []byte(key), 0o600)
	_ = os.WriteFile(dir+"/c", []byte(cert), 0o600)
	k, err1 := exec.Command("openssl", "pkey", "-in", dir+"/k", "-pubout").Output()
	c, err2 := exec.Command("openssl", "x509", "-in", dir+"/c", "-noout", "-pubkey").Output()
	return err1 == nil && err2 == nil && len(k) > 0 && string(k) == string(c)
}

// The certbot lock pins certbot and acme at CertbotVersion, and every
// requirement it lists carries a SHA-256; what it lacks is named on
// "# missing:" lines, and then the instances say they install without
// hash checking.
func TestCertbotLock(t *testing.T) {
	lock, err := scriptFS.ReadFile("scripts/certbot-requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	hash := regexp.MustCompile(`^[a-z0-9._-]+==[0-9][0-9a-z.]* --hash=sha256:[0-9a-f]{64}( --hash=sha256:[0-9a-f]{64})*$`)
	pinned := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(lock)), "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "--no-binary ") {
			continue
		}
		if !hash.MatchString(line) {
			t.Errorf("lock line without an exact pin and a sha256: %q", line)
			continue
		}
		name, rest, _ := strings.Cut(line, "==")
		pinned[name] = strings.Fields(rest)[0]
	}
	for _, name := range []string{"certbot", "acme"} {
		if pinned[name] != CertbotVersion {
			t.Errorf("%s pinned at %q, want %s", name, pinned[name], CertbotVersion)
		}
	}
	complete := CertbotLockComplete(string(lock))
	if !complete && !strings.Contains(string(lock), "# missing: certbot-dns-route53==") && pinned["certbot-dns-route53"] == "" {
		t.Error("the Route 53 plugin is neither pinned nor named missing")
	}
	if complete && pinned["certbot-dns-route53"] != CertbotVersion {
		t.Error("a complete lock must pin certbot-dns-route53")
	}
	if env := mustEnv(t, testAuthUserData(t, "")); env["CERTBOT_LOCK_COMPLETE"] != fmt.Sprint(complete) {
		t.Errorf("CERTBOT_LOCK_COMPLETE=%s for a lock that is complete=%v", env["CERTBOT_LOCK_COMPLETE"], complete)
	}
}

// venvStub makes `python3 -m venv DIR` create a stand-in pip and certbot.
const venvStub = `if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/bash\necho "pip $*" >>"%s/calls"\n' "${STUB_STATE}" >"$3/bin/pip"
  printf '#!/bin/bash\necho "certbot 4.1.1"\n' >"$3/bin/certbot"
  chmod +x "$3/bin/pip" "$3/bin/certbot"
  exit 0
fi
exec /usr/bin/python3 "$@"`

// How certbot is installed follows the lock: with every hash, or by exact
// versions and a log line that says so.
func TestCertbotInstall(t *testing.T) {
	for _, complete := range []bool{false, true} {
		t.Run(fmt.Sprint(complete), func(t *testing.T) {
			s := newSandbox(t, testAuthUserData(t, ""), map[string]string{"aws": fakeAWS(""), "python3": venvStub})
			env := strings.Replace(s.files[EnvPath], "CERTBOT_LOCK_COMPLETE='false'", fmt.Sprintf("CERTBOT_LOCK_COMPLETE='%v'", complete), 1)
			env = strings.Replace(env, "CERTBOT_LOCK_COMPLETE='true'", fmt.Sprintf("CERTBOT_LOCK_COMPLETE='%v'", complete), 1)
			s.write(EnvPath, env, 0o644)
			s.write("/stub-state/certbot-fails", "", 0o644) // stop after the install
			out, _ := s.renew()
			if complete {
				s.mustCall("pip install", "--require-hashes", "-r "+filepath.Join(s.root, bootEtc, "certbot-requirements.txt"))
				if strings.Contains(out, "WITHOUT hash checking") {
					t.Error("says it checks no hashes")
				}
			} else {
				s.mustCall("pip install", "certbot==4.1.1", "certbot-dns-route53==4.1.1", "acme==4.1.1")
				if !strings.Contains(out, "WITHOUT hash checking") {
					t.Errorf("does not say that it installs without hashes:\n%s", out)
				}
			}
		})
	}
}
