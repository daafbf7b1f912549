package kmskey

import (
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

func TestStatements(t *testing.T) {
	props := &Props{
		AccountID:          jsii.String("123456789012"),
		AutoScalingRoleARN: jsii.String("arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_c"),
	}
	bySid := map[string]int{}
	grants := []Grant{
		{Sid: "One", Role: "c-auth", ViaServices: []string{ViaService("s3", "eu-west-1")}},
		{Sid: "Many", Role: "c-proxy-*", Actions: []string{"kms:Decrypt"}, ViaServices: []string{"s3.eu-west-1.amazonaws.com"}},
	}
	got := Statements(props, grants)
	for i, s := range got {
		bySid[s.Sid] = i
		for _, a := range s.Actions {
			if a == "kms:*" || a == "*" {
				t.Errorf("%s grants %s", s.Sid, a)
			}
		}
	}
	admin := got[bySid["AccountAdministersKey"]]
	for _, crypto := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"} {
		if slices.Contains(admin.Actions, crypto) {
			t.Errorf("administrators may %s", crypto)
		}
	}
	one, many := got[bySid["One"]], got[bySid["Many"]]
	if one.Conditions[0].Test != "ArnEquals" || many.Conditions[0].Test != "ArnLike" {
		t.Errorf("role patterns: %s for a role, %s for a pattern", one.Conditions[0].Test, many.Conditions[0].Test)
	}
	if !slices.Equal(many.Actions, []string{"kms:Decrypt"}) || len(one.Actions) != len(dataActions()) {
		t.Errorf("actions: %v and %v", one.Actions, many.Actions)
	}
	if *one.Conditions[1].Values[0] != "s3.eu-west-1.amazonaws.com" || one.Conditions[1].Variable != "kms:ViaService" {
		t.Errorf("service condition: %+v", one.Conditions[1])
	}
	if _, ok := bySid["AutoScalingEncryptsVolumes"]; !ok {
		t.Error("the Auto Scaling role is not granted the key")
	}
	if _, ok := bySid["DynamoDBDescribesKey"]; ok {
		t.Error("DynamoDB granted without Props.DynamoDB")
	}
	if *one.Conditions[0].Values[0] != "arn:aws:iam::123456789012:role/c-auth" {
		t.Errorf("role ARN %s", *one.Conditions[0].Values[0])
	}
	if n := len(Statements(&Props{AccountID: props.AccountID}, nil)); n != 2 {
		t.Errorf("a key without users has %d statements, want administration and grants only", n)
	}
}
