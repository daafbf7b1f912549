package teleportconfig

import (
	"fmt"
	"strings"
	"testing"
)

// healthz answers /healthz: ok while $STUB_STATE/healthz-fails is absent.
const failingHealthz = `case "$*" in
*healthz) [ ! -e "${STUB_STATE}/healthz-fails" ] || { echo "curl: (7) Failed to connect to 127.0.0.1 port 3000" >&2; exit 7; }; echo ok ;;
*api/token*) echo token ;;
*meta-data/instance-id) echo i-0123456789abcdef0 ;;
*placement/region) echo us-west-2 ;;
esac`

// advance moves the sandbox's fake clock.
func (s *sandbox) advance(seconds int) {
	s.t.Helper()
	var now int
	fmt.Sscan(s.read("/stub-state/clock"), &now)
	s.write("/stub-state/clock", fmt.Sprint(now+seconds), 0o644)
}

// The watchdog marks the instance Unhealthy only after /healthz failed
// for WatchdogFailureSeconds in a row, never before Teleport first started,
// never while draining, and forgets a failure that recovered.
func TestWatchdog(t *testing.T) {
	for role, ud := range map[string]string{"auth": testAuthUserData(t, ""), "proxy": testProxyUserData(t, true)} {
		t.Run(role, func(t *testing.T) {
			s := newSandbox(t, ud, map[string]string{"curl": failingHealthz})
			s.write("/stub-state/healthz-fails", "", 0o644)
			watch := func() {
				t.Helper()
				if out, code := s.run("/usr/local/bin/teleport-watchdog"); code != 0 {
					t.Fatalf("exit %d:\n%s", code, out)
				}
			}
			// Boot grace: Teleport has not started yet.
			watch()
			s.advance(WatchdogFailureSeconds * 2)
			watch()
			s.mustNotCall("curl", "healthz")
			s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
			watch() // first failure
			s.advance(WatchdogFailureSeconds - 30)
			watch()
			s.mustNotCall("set-instance-health")
			// Recovery resets the count.
			s.remove("/stub-state/healthz-fails")
			watch()
			s.write("/stub-state/healthz-fails", "", 0o644)
			s.advance(60)
			watch()
			s.advance(WatchdogFailureSeconds - 30)
			watch()
			s.mustNotCall("set-instance-health")
			s.advance(60)
			watch()
			s.mustCall("aws autoscaling set-instance-health", "--instance-id i-0123456789abcdef0", "--health-status Unhealthy")
			s.mustCall("curl", "http://127.0.0.1:3000/healthz")
		})
	}
}

func TestWatchdogStandsDownWhileDraining(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), map[string]string{"curl": failingHealthz})
	s.write("/stub-state/healthz-fails", "", 0o644)
	s.write("/var/lib/teleport-boot/teleport-started", "", 0o644)
	s.write("/var/lib/teleport-boot/draining", "", 0o644)
	for i := 0; i < 3; i++ {
		s.run("/usr/local/bin/teleport-watchdog")
		s.advance(WatchdogFailureSeconds)
	}
	s.mustNotCall("set-instance-health")
}

// drainIMDS answers the lifecycle state; teleport stays active for
// activeFor is-active checks.
func drainStubs(state string, activeFor int) map[string]string {
	return map[string]string{
		"curl": `case "$*" in
*autoscaling/target-lifecycle-state) echo ` + state + ` ;;
*api/token*) echo token ;;
*meta-data/instance-id) echo i-0123456789abcdef0 ;;
*placement/region) echo eu-west-1 ;;
esac`,
		"systemctl": fmt.Sprintf(`case "$*" in
*is-active*) [ "$(count 'is-active')" -le %d ] ;;
esac`, activeFor),
	}
}

// A pending termination: SIGQUIT (graceful), no restart, wait for
// Teleport to exit, then complete the drain hook.
func TestDrainOnTermination(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), drainStubs("Terminated", 4))
	out, code := s.run("/usr/local/bin/teleport-drain")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(s.read("/run/systemd/system/teleport.service.d/50-drain.conf"), "Restart=no") {
		t.Error("no drop-in against a restart after the graceful exit")
	}
	s.before([]string{"systemctl daemon-reload"}, []string{"systemctl kill --kill-who=main --signal=SIGQUIT teleport"})
	s.before([]string{"systemctl kill", "SIGQUIT"}, []string{"aws autoscaling complete-lifecycle-action"})
	s.mustCall("aws autoscaling complete-lifecycle-action", "--lifecycle-action-result CONTINUE", "--lifecycle-hook-name "+DrainHookName,
		"--auto-scaling-group-name x-proxy", "--instance-id i-0123456789abcdef0")
	s.mustNotCall("systemctl stop teleport")
	if !s.exists("/var/lib/teleport-boot/draining") {
		t.Error("no draining marker for the watchdog")
	}
	// Done once: the next tick does nothing.
	before := s.count("complete-lifecycle-action")
	s.run("/usr/local/bin/teleport-drain")
	if s.count("complete-lifecycle-action") != before {
		t.Error("completed the lifecycle action twice")
	}
}

// Sessions that outlast the drain time: Teleport is stopped after
// DrainTimeoutSeconds, then the hook completes.
func TestDrainTimesOut(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), drainStubs("Terminated", 10000))
	out, code := s.run("/usr/local/bin/teleport-drain")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.before([]string{"systemctl stop teleport"}, []string{"complete-lifecycle-action"})
	if n := s.count("sleep 5"); n < DrainTimeoutSeconds/5-1 || n > DrainTimeoutSeconds/5+1 {
		t.Errorf("waited %d x 5 s; want about %d s", n, DrainTimeoutSeconds)
	}
}

func TestNoDrainWhileInService(t *testing.T) {
	s := newSandbox(t, testProxyUserData(t, true), drainStubs("InService", 100))
	if out, code := s.run("/usr/local/bin/teleport-drain"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s.mustNotCall("systemctl kill")
	s.mustNotCall("complete-lifecycle-action")
}

// The drain job's unit outlives the drain.
func TestDrainUnitTimeout(t *testing.T) {
	unit, _ := scriptFS.ReadFile("scripts/units/teleport-drain.service")
	if !strings.Contains(string(unit), "TimeoutStartSec=15min") || 15*60 <= DrainTimeoutSeconds+60 {
		t.Errorf("teleport-drain.service must allow more than DrainTimeoutSeconds (%d s):\n%s", DrainTimeoutSeconds, unit)
	}
}
