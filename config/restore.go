package config

import "fmt"

// restoreTargets refuses a restored copy named like a table or bucket the
// cluster creates itself: the restored copy is a resource of its own, and
// two resources of one name cannot both exist (a restore onto the
// cluster's own name is no restore: leave the field out).
func (v *validator) restoreTargets(c *Cluster) {
	n := c.Names()
	tables, buckets := n.createdTables(), n.createdBuckets()
	check := func(path, name string, own map[string]string, valid func(string) bool) {
		what, taken := own[name]
		if name == "" || !taken {
			return
		}
		fix := fmt.Sprintf("restore into a %s of another name", map[bool]string{true: "table", false: "bucket"}[path != "restore.recordings_bucket"])
		if s := name + "-restored"; valid(s) {
			if _, clash := own[s]; !clash {
				fix += fmt.Sprintf(" (such as %q)", s)
			}
		}
		v.add(path, "%q is the name of the cluster's own %s, which the cluster creates itself; %s and name it here, or remove %s to run on the cluster's own", name, what, fix, path)
	}
	check("restore.state_table", c.Restore.StateTable, tables, tableNameRe.MatchString)
	check("restore.events_table", c.Restore.EventsTable, tables, tableNameRe.MatchString)
	check("restore.recordings_bucket", c.Restore.RecordingsBucket, buckets, func(s string) bool { return bucketProblem(s) == "" })
}
