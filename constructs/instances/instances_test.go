package instances

import "testing"

func TestRefreshPercentages(t *testing.T) {
	cases := []struct {
		count              int
		noSurge            bool
		minHealthy, maxAll int
		// most is the largest number of instances the group may run while
		// replacing, least the smallest number in service.
		most, least int
	}{
		{2, false, 100, 200, 4, 2},
		{5, false, 100, 200, 10, 5},
		{1, true, 0, 100, 1, 0},
		{2, true, 50, 100, 2, 1},
	}
	for _, c := range cases {
		minH, maxH := RefreshPercentages(c.count, c.noSurge)
		if minH != c.minHealthy || maxH != c.maxAll {
			t.Errorf("count %d, noSurge %v: %d/%d; want %d/%d", c.count, c.noSurge, minH, maxH, c.minHealthy, c.maxAll)
		}
		// Auto Scaling's bounds: max 100-200, min 0-100, at most 100 apart.
		if maxH < 100 || maxH > 200 || minH < 0 || minH > 100 || maxH-minH > 100 {
			t.Errorf("count %d: %d/%d is outside what Auto Scaling accepts", c.count, minH, maxH)
		}
		// Auto Scaling rounds the minimum up and the maximum down.
		most := c.count * maxH / 100
		least := (c.count*minH + 99) / 100
		if most != c.most || least != c.least {
			t.Errorf("count %d, noSurge %v: between %d and %d instances; want %d and %d", c.count, c.noSurge, least, most, c.least, c.most)
		}
		if c.noSurge && c.count > 1 && least != c.count-1 {
			t.Errorf("count %d: %d in service during a refresh; want all but one", c.count, least)
		}
	}
}

func TestGroupARN(t *testing.T) {
	got := GroupARN("us-west-2", "123456789012", "example-auth")
	if got != "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:*:autoScalingGroupName/example-auth" {
		t.Error(got)
	}
}
