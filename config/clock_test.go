package config

import "time"

// testNow is the day tests judge support windows by: after Teleport 17's
// end of support (August 2026), before 18's (August 2027), so that the
// tests keep passing as the real calendar moves on.
var testNow = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

func init() { Now = func() time.Time { return testNow } }
