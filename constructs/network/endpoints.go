package network

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/example/teleport-multi-region/constructs/policy"
)

// EndpointProps configures a Network's gateway endpoints.
type EndpointProps struct {
	// Region is the VPC's region (the endpoints' service names).
	Region string
	// Name prefixes the endpoints' Name tags.
	Name string
	// DynamoDB, when set, adds a DynamoDB gateway endpoint whose policy is
	// these statements (principals and resources included).
	DynamoDB []policy.Statement
}

// AddGatewayEndpoints gives the instances' route tables an S3 gateway
// endpoint and, optionally, a DynamoDB one, so that the instances reach
// those services without the NAT gateways (gateway endpoints cost nothing;
// "Gateway endpoints", AWS PrivateLink guide). Nothing is added to a given
// VPC: a route table has at most one route per service prefix list, so an
// endpoint its owner already has would make ours fail; docs/architecture.md
// (Existing VPCs) says to add them there.
//
// The S3 endpoint keeps the default policy (full access): besides the
// cluster's buckets, which IAM and the bucket policies guard, the instances
// read AWS-owned buckets through it (Amazon Linux 2023's package
// repositories and the SSM agent's updates are S3 buckets of the region),
// which a policy naming only the cluster's buckets would break. DynamoDB
// Streams is not served by the gateway endpoint and keeps going through
// NAT.
func (n *Network) AddGatewayEndpoints(props *EndpointProps) {
	if n.Given {
		return
	}
	tags := func(service string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(props.Name + "-" + service)}
	}
	vpcendpoint.NewVpcEndpoint(n.Construct, jsii.String("s3-endpoint"), &vpcendpoint.VpcEndpointConfig{
		VpcId:           n.VPCID,
		ServiceName:     jsii.String("com.amazonaws." + props.Region + ".s3"),
		VpcEndpointType: jsii.String("Gateway"),
		RouteTableIds:   ptr(n.InstanceRouteTableIDs()),
		Tags:            tags("s3"),
	})
	if len(props.DynamoDB) == 0 {
		return
	}
	doc := policy.Document(n.Construct, "dynamodb-endpoint-policy", props.DynamoDB...)
	vpcendpoint.NewVpcEndpoint(n.Construct, jsii.String("dynamodb-endpoint"), &vpcendpoint.VpcEndpointConfig{
		VpcId:           n.VPCID,
		ServiceName:     jsii.String("com.amazonaws." + props.Region + ".dynamodb"),
		VpcEndpointType: jsii.String("Gateway"),
		RouteTableIds:   ptr(n.InstanceRouteTableIDs()),
		Policy:          doc.Json(),
		Tags:            tags("dynamodb"),
	})
}
