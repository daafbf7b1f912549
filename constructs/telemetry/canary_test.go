package telemetry

import (
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// The canary runs where there is something to ping and a release that
// pings: proxy peering, more than one proxy, 16.4.8 or later.
func TestPeerCanary(t *testing.T) {
	for _, c := range []struct {
		peering bool
		release string
		proxies int
		want    bool
	}{
		{true, "18.9.0", 4, true},
		{true, "17.0.0", 2, true},
		{true, "16.4.8", 2, true},
		{true, "16.4.7", 2, false},
		{true, "15.4.22", 6, false},
		{true, "18.9.0", 1, false},
		{false, "18.9.0", 4, false},
	} {
		v, err := config.ParseVersion(c.release)
		if err != nil {
			t.Fatal(err)
		}
		if got := PeerCanary(c.peering, v, c.proxies); got != c.want {
			t.Errorf("PeerCanary(%v, %s, %d) = %v, want %v", c.peering, c.release, c.proxies, got, c.want)
		}
	}
}
