package main

import (
	"encoding/base64"
	"testing"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Every launch template of every synthesized config carries gzip user data
// under EC2's 16 KB limit on raw user data, that decodes to the bootstrap
// with its files. (The worst case of the config's bounds is tested in
// constructs/teleportconfig TestUserDataSizeWorstCase.)
func TestUserDataFitsAndDecodes(t *testing.T) {
	for synth := range synths {
		for _, stack := range stackNames(t, synth) {
			for id, lt := range stackOf(t, synth, stack).resources("aws_launch_template") {
				raw, err := base64.StdEncoding.DecodeString(lt["user_data"].(string))
				if err != nil {
					t.Fatal(err)
				}
				if len(raw) >= teleportconfig.MaxUserDataBytes {
					t.Errorf("%s/%s %s: user data is %d bytes; EC2 accepts at most %d", synth, stack, id, len(raw), teleportconfig.MaxUserDataBytes)
				}
				script, err := teleportconfig.DecodeUserData(lt["user_data"].(string))
				if err != nil {
					t.Fatalf("%s/%s %s: %v", synth, stack, id, err)
				}
				if _, err := teleportconfig.BootFiles(script); err != nil {
					t.Errorf("%s/%s %s: %v", synth, stack, id, err)
				}
			}
		}
	}
}
