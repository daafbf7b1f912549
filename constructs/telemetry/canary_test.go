package telemetry

import (
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// The canary runs where proxies peer and ping: proxy peering, 16.4.8 or
// later.
func TestPeerCanary(t *testing.T) {
	for _, c := range []struct {
		peering bool
		release string
		want    bool
	}{
		{true, "18.9.0", true},
		{true, "17.0.0", true},
		{true, "16.4.8", true},
		{true, "16.4.7", false},
		{true, "15.4.22", false},
		{false, "18.9.0", false},
	} {
		v, err := config.ParseVersion(c.release)
		if err != nil {
			t.Fatal(err)
		}
		if got := PeerCanary(c.peering, v); got != c.want {
			t.Errorf("PeerCanary(%v, %s) = %v, want %v", c.peering, c.release, got, c.want)
		}
	}
}
