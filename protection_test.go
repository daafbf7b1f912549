package main

import (
	"slices"
	"testing"
)

// protectedTypes are the stateful resource types and everything guarding a
// bucket: with deletion_protection (the default) each carries
// lifecycle.prevent_destroy, so no routine change can destroy or replace it.
var protectedTypes = []string{
	"aws_dynamodb_table", "aws_kms_key",
	"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy",
	"aws_s3_bucket_lifecycle_configuration", "aws_backup_vault",
}

// Every stateful resource of every synthesized config is protected, and the
// tables have DynamoDB's own deletion protection; deletion_protection: false
// removes both, the one way to tear a cluster down.
func TestStateIsProtected(t *testing.T) {
	for _, synth := range synthNames() {
		want := synthOf(t, synth).cfg.Protected()
		seen := map[string]int{}
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			for _, typ := range protectedTypes {
				for id, r := range s.resources(typ) {
					seen[typ]++
					if got := get(r, "lifecycle", "prevent_destroy") == true; got != want {
						t.Errorf("%s/%s: %s.%s prevent_destroy %v; want %v", synth, stack, typ, id, got, want)
					}
					if typ == "aws_dynamodb_table" && r["deletion_protection_enabled"] != want {
						t.Errorf("%s/%s: table %s deletion_protection_enabled %v; want %v", synth, stack, id, r["deletion_protection_enabled"], want)
					}
				}
			}
			// Nothing else is protected: a protected resource that is
			// not state would block routine changes.
			all, _ := s["resource"].(map[string]any)
			for typ, byName := range all {
				if slices.Contains(protectedTypes, typ) {
					continue
				}
				for id, r := range byName.(map[string]any) {
					if get(r, "lifecycle", "prevent_destroy") == true {
						t.Errorf("%s/%s: %s.%s is protected but holds no state", synth, stack, typ, id)
					}
				}
			}
		}
		for _, typ := range protectedTypes[:len(protectedTypes)-1] { // the vault only with backups
			if seen[typ] == 0 {
				t.Errorf("%s: no %s found: the check would pass vacuously", synth, typ)
			}
		}
	}
	if synthOf(t, "example-unprotected").cfg.Protected() {
		t.Error("deletion_protection: false not honoured")
	}
}
