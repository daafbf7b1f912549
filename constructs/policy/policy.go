// Package policy builds IAM policy documents as aws_iam_policy_document data
// sources, so that statements may hold Terraform tokens (ARNs of resources
// created in the same stack) and still render as reviewable JSON.
package policy

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsiampolicydocument"
)

// Statement is one Allow or Deny statement.
type Statement struct {
	// Sid names the statement for reviewers.
	Sid string
	// Deny makes it a Deny statement; the default is Allow.
	Deny bool
	// Actions are the IAM actions; never "*".
	Actions []string
	// Resources are ARNs (or tokens resolving to ARNs).
	Resources []*string
	// Principals, for resource policies: type ("AWS", "Service", "*") to ids.
	Principals []Principal
	// Conditions restrict the statement.
	Conditions []Condition
}

// Principal is a statement principal.
type Principal struct {
	Type        string
	Identifiers []*string
}

// Condition is a statement condition.
type Condition struct {
	Test     string
	Variable string
	Values   []*string
}

// Document creates the policy document data source and returns it; use
// Json() for the policy text.
func Document(scope constructs.Construct, id string, statements ...Statement) dataawsiampolicydocument.DataAwsIamPolicyDocument {
	return dataawsiampolicydocument.NewDataAwsIamPolicyDocument(scope, jsii.String(id), &dataawsiampolicydocument.DataAwsIamPolicyDocumentConfig{
		Statement: render(statements),
	})
}

// Replace sets the statements of a document made by Document, for a
// document that grows after it is created (a key policy that each grant
// adds to, package kmskey).
func Replace(doc dataawsiampolicydocument.DataAwsIamPolicyDocument, statements ...Statement) {
	doc.PutStatement(render(statements))
}

func render(statements []Statement) []*dataawsiampolicydocument.DataAwsIamPolicyDocumentStatement {
	var out []*dataawsiampolicydocument.DataAwsIamPolicyDocumentStatement
	for _, s := range statements {
		effect := "Allow"
		if s.Deny {
			effect = "Deny"
		}
		st := &dataawsiampolicydocument.DataAwsIamPolicyDocumentStatement{
			Sid:       jsii.String(s.Sid),
			Effect:    jsii.String(effect),
			Actions:   jsii.Strings(s.Actions...),
			Resources: &s.Resources,
		}
		if len(s.Principals) > 0 {
			var ps []*dataawsiampolicydocument.DataAwsIamPolicyDocumentStatementPrincipals
			for _, p := range s.Principals {
				ids := p.Identifiers
				ps = append(ps, &dataawsiampolicydocument.DataAwsIamPolicyDocumentStatementPrincipals{
					Type: jsii.String(p.Type), Identifiers: &ids,
				})
			}
			st.Principals = ps
		}
		if len(s.Conditions) > 0 {
			var cs []*dataawsiampolicydocument.DataAwsIamPolicyDocumentStatementCondition
			for _, c := range s.Conditions {
				vals := c.Values
				cs = append(cs, &dataawsiampolicydocument.DataAwsIamPolicyDocumentStatementCondition{
					Test: jsii.String(c.Test), Variable: jsii.String(c.Variable), Values: &vals,
				})
			}
			st.Condition = cs
		}
		out = append(out, st)
	}
	return out
}
