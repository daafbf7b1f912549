package words

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n          int
		one, other string
		want       string
	}{
		{0, "resource", "resources", "0 resources"},
		{1, "resource", "resources", "1 resource"},
		{2, "resource", "resources", "2 resources"},
		{1, "proxy", "proxies", "1 proxy"},
		{3, "proxy", "proxies", "3 proxies"},
	} {
		if got := Count(c.n, c.one, c.other); got != c.want {
			t.Errorf("Count(%d, %q, %q) = %q, want %q", c.n, c.one, c.other, got, c.want)
		}
	}
	if got := Plural(1, "stack"); got != "1 stack" {
		t.Errorf("Plural(1) = %q", got)
	}
	if got := Plural(4, "stack"); got != "4 stacks" {
		t.Errorf("Plural(4) = %q", got)
	}
}
