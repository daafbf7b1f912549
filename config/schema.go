package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"strings"
)

// SchemaFile is the JSON Schema of the config, generated from the Go types
// (SchemaFor) and committed; TestSchemaUpToDate fails when they drift.
//
//go:embed cluster.schema.json
var SchemaFile []byte

// FieldDocs reads the doc comments of the struct fields declared in the Go
// files of dir, keyed "Type.Field": the descriptions of the schema.
func FieldDocs(dir string) (map[string]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, field := range st.Fields.List {
					if field.Doc == nil {
						continue
					}
					for _, id := range field.Names {
						docs[ts.Name.Name+"."+id.Name] = describeField(id.Name, field.Doc.Text())
					}
				}
				return true
			})
		}
	}
	return docs, nil
}

// describeField turns a Go doc comment ("Edition is \"enterprise\" ...") into
// a description for config authors ("\"enterprise\" ..."): without the Go
// field name, on one line.
func describeField(name, doc string) string {
	words := strings.Fields(doc)
	if len(words) > 0 && words[0] == name+"," {
		// "ExistingVPC, when set, puts ...": "When set, puts ..."
		words = words[1:]
	}
	if len(words) > 0 && words[0] == name {
		words = words[1:]
		if len(words) > 1 && (words[0] == "is" || words[0] == "are") {
			words = words[1:]
		}
	}
	d := yamlNames(strings.Join(words, " "))
	if d != "" {
		d = strings.ToUpper(d[:1]) + d[1:]
	}
	return d
}

// goNameRe matches a Go field reference in a doc comment: Zones,
// Auth.TeleportVersion.
var goNameRe = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)*\b`)

// yamlNames rewrites the Go field names in a doc comment as the config's
// YAML keys (Auth.TeleportVersion becomes auth.teleport_version): config
// authors never see the Go names. Acronyms written in capitals (AMI, S3)
// are words, not references, and stay.
func yamlNames(doc string) string {
	keys := goFieldKeys()
	capital := func(b byte) bool { return b >= 'A' && b <= 'Z' }
	return replaceAllIndex(goNameRe, doc, func(start, end int) string {
		ref := doc[start:end]
		// A capitalised word next to another ("Auth Service", "Proxy
		// Peering") is a name, not a field reference.
		if (end+1 < len(doc) && doc[end] == ' ' && capital(doc[end+1])) ||
			(start >= 2 && doc[start-1] == ' ' && strings.LastIndexByte(doc[:start-1], ' ') < start-2 && capital(doc[strings.LastIndexByte(doc[:start-1], ' ')+1])) {
			return ref
		}
		parts := strings.Split(ref, ".")
		for i, p := range parts {
			k, ok := keys[p]
			if !ok || strings.ToUpper(p) == p {
				return ref
			}
			parts[i] = k
		}
		return strings.Join(parts, ".")
	})
}

// replaceAllIndex is regexp's ReplaceAllStringFunc with the match's
// position, so that repl can look at its neighbours.
func replaceAllIndex(re *regexp.Regexp, s string, repl func(start, end int) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		b.WriteString(repl(m[0], m[1]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// goFieldKeys maps every Go field name of the config's types to its YAML key.
func goFieldKeys() map[string]string {
	out := map[string]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name := strings.Split(f.Tag.Get("yaml"), ",")[0]; name != "" && name != "-" {
				if _, seen := out[f.Name]; !seen {
					out[f.Name] = name
					walk(f.Type)
				}
			}
		}
	}
	walk(reflect.TypeOf(Cluster{}))
	return out
}

// schemaExtras are what the types alone do not say: defaults, enums,
// patterns and ranges, by field path ("proxy_regions[].az_count" for list
// items, "ami.ids.*" for map values).
func schemaExtras() map[string]map[string]any {
	regions := RegionNames()
	zone := `^([a-z]+[0-9]+-az[0-9]+|[a-z]{2}-[a-z]+-[0-9][a-z])$`
	vpc := func(prefix string) map[string]map[string]any {
		return map[string]map[string]any{
			prefix + ".region":                                 {"enum": regions},
			prefix + ".vpc_cidr":                               {"pattern": `^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|2[0-4])$`},
			prefix + ".az_count":                               {"minimum": 2, "maximum": MaxAZCount, "default": DefaultAZCount},
			prefix + ".zones[]":                                {"pattern": zone},
			prefix + ".instances.type":                         {"default": DefaultInstanceType, "pattern": instanceTypeRe.String()},
			prefix + ".instances.count":                        {"minimum": 1, "maximum": MaxInstanceCount, "default": DefaultInstanceCount},
			prefix + ".existing_vpc.private_subnet_ids":        {"examples": []any{[]any{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"}}},
			prefix + ".existing_vpc.public_subnet_ids":         {"examples": []any{[]any{"subnet-0fedcba9876543210", "subnet-0fedcba9876543211"}}},
			prefix + ".existing_vpc.private_route_table_ids":   {"examples": []any{[]any{"rtb-0123456789abcdef0"}}},
			prefix + ".existing_vpc.public_route_table_ids":    {"examples": []any{[]any{"rtb-0fedcba9876543210"}}},
			prefix + ".instances.volume_size_gib":              {"minimum": MinVolumeSizeGiB, "maximum": MaxVolumeSizeGiB, "default": DefaultVolumeSizeGiB},
			prefix + ".existing_vpc.vpc_id":                    {"pattern": vpcIDRe.String()},
			prefix + ".existing_vpc.private_subnet_ids[]":      {"pattern": subnetIDRe.String()},
			prefix + ".existing_vpc.public_subnet_ids[]":       {"pattern": subnetIDRe.String()},
			prefix + ".existing_vpc.private_route_table_ids[]": {"pattern": routeTableIDRe.String()},
			prefix + ".existing_vpc.public_route_table_ids[]":  {"pattern": routeTableIDRe.String()},
			prefix + ".existing_vpc.flow_logs":                 {"default": true},
		}
	}
	// Examples are what the configuration reference shows for fields
	// without a default; TestReferenceExamples checks each against the
	// schema's own bounds.
	examples := map[string]any{
		"cluster_name":                        "example",
		"domain":                              "teleport.example.com",
		"hosted_zone":                         "example.com",
		"hosted_zone_id":                      "Z0123456789ABC",
		"teleport_version":                    DefaultTeleportVersion,
		"auth.teleport_version":               DefaultTeleportVersion,
		"license_ssm_parameter":               "/teleport/license",
		"license_kms_key_arn":                 "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"acme_email":                          "admin@example.com",
		"auth.region":                         "us-west-2",
		"auth.vpc_cidr":                       "10.0.0.0/16",
		"auth.zones":                          []any{"usw2-az1", "usw2-az2"},
		"auth.existing_vpc.vpc_id":            "vpc-0123456789abcdef0",
		"proxy_regions[].region":              "us-west-1",
		"proxy_regions[].vpc_cidr":            "10.1.0.0/16",
		"proxy_regions[].zones":               []any{"usw1-az1", "usw1-az3"},
		"proxy_regions[].existing_vpc.vpc_id": "vpc-0123456789abcdef1",
		"resource_regions":                    []any{"us-east-1", map[string]any{"region": "ap-south-1", "proxy_region": "eu-central-1"}},
		"resource_regions[].region":           "ap-south-1",
		"resource_regions[].proxy_region":     "eu-central-1",
		"ami.ids":                             map[string]any{"us-west-2": "ami-0123456789abcdef0"},
		"backend.s3.bucket":                   "my-terraform-state",
		"backend.s3.region":                   "us-west-2",
		"backend.s3.key_prefix":               "teams/platform",
		"backend.s3.dynamodb_table":           "terraform-locks",
		"alerts.email":                        "ops@example.com",
		"quotas.elastic_ips":                  map[string]any{"us-west-2": 10},
		"tags":                                map[string]any{"team": "platform"},
		"backup.copy_region":                  "us-east-2",
		"restore.state_table":                 "example-state-restored",
		"restore.events_table":                "example-events-restored",
		"restore.recordings_bucket":           "example-recordings-restored",
	}
	out := map[string]map[string]any{
		"cluster_name":                    {"pattern": clusterNameRe.String(), "maxLength": MaxClusterNameLen},
		"acme_staging":                    {"default": false},
		"proxy_regions[].retired":         {"default": false},
		"backend.s3.use_lockfile":         {"default": false},
		"teleport_version":                {"pattern": versionRe.String()},
		"auth.teleport_version":           {"pattern": versionRe.String()},
		"edition":                         {"enum": Editions, "default": DefaultEdition},
		"agent_connection_count":          {"minimum": MinAgentConnectionCount, "maximum": MaxInstanceCount * len(regionTable), "default": DefaultAgentConnectionCount},
		"hosted_zone_id":                  {"pattern": zoneIDRe.String()},
		"domain":                          {"pattern": fmt.Sprintf(`^[^.]+(\.[^.]+){1,%d}$`, MaxACMELabels-1), "maxLength": MaxDomainLen, "not": map[string]any{"pattern": nonPublicTLDPattern()}},
		"acme_email":                      {"format": "email", "not": map[string]any{"pattern": nonPublicTLDPattern()}},
		"alerts.email":                    {"format": "email"},
		"peering.mode":                    {"enum": PeeringModes, "default": DefaultPeeringMode},
		"connectivity.mode":               {"enum": ConnectivityModes, "default": ConnectivityVPCPeering},
		"backend.type":                    {"enum": BackendTypes, "default": DefaultBackendType},
		"flow_logs.traffic_type":          {"enum": FlowLogTrafficTypes, "default": DefaultFlowLogTrafficType},
		"flow_logs.retention_days":        {"enum": FlowLogRetentions, "default": DefaultFlowLogRetentionDays},
		"logs.retention_days":             {"enum": FlowLogRetentions, "default": DefaultLogRetentionDays},
		"ami.ssm_parameter":               {"default": DefaultAMISSMParameter},
		"deletion_protection":             {"default": true},
		"audit.backend":                   {"enum": []string{AuditDynamoDB, AuditAthena}, "default": AuditDynamoDB},
		"ami.source":                      {"enum": []string{AMISourceSSM, AMISourceTeleport}, "default": AMISourceSSM},
		"backup.retention_days":           {"minimum": 1, "maximum": MaxBackupRetentionDays, "default": DefaultBackupRetentionDays},
		"backup.copy_region":              {"enum": regions},
		"auth.generation":                 {"minimum": 0, "maximum": MaxAuthGeneration, "default": 0},
		"restore.state_table":             {"pattern": tableNameRe.String()},
		"restore.events_table":            {"pattern": tableNameRe.String()},
		"restore.recordings_bucket":       {"pattern": bucketRe.String()},
		"ami.ids.*":                       {"pattern": amiIDRe.String()},
		"quotas.elastic_ips.*":            {"minimum": DefaultElasticIPQuota},
		"resource_regions[].region":       {"enum": regions},
		"resource_regions[].proxy_region": {"enum": regions},
		"backend.s3.region":               {"enum": regions},
	}
	for k, v := range vpc("auth") {
		out[k] = v
	}
	for k, v := range vpc("proxy_regions[]") {
		out[k] = v
	}
	// The auth group runs at most two servers (DynamoDB Streams, see
	// MaxAuthServers): the schema says what validation says.
	out["auth.instances.count"]["maximum"] = MaxAuthServers
	for k, v := range examples {
		if out[k] == nil {
			out[k] = map[string]any{}
		}
		out[k]["examples"] = []any{v}
	}
	return out
}

// required lists the keys a file must set.
var requiredKeys = map[string][]string{
	"":                {"cluster_name", "domain", "hosted_zone", "teleport_version", "acme_email", "auth", "proxy_regions"},
	"auth":            {"region", "vpc_cidr"},
	"proxy_regions[]": {"region", "vpc_cidr"},
	"backend.s3":      {"bucket", "region"},
}

// SchemaFor renders the JSON Schema (draft-07, which editors' YAML language
// servers read) of the config from the Go types, with docs as descriptions.
func SchemaFor(docs map[string]string) ([]byte, error) { return schemaFor(docs, schemaExtras()) }

// schemaFor renders the schema with extras, refusing an extra whose path
// names no field: a renamed field must not lose its bounds silently.
func schemaFor(docs map[string]string, extras map[string]map[string]any) ([]byte, error) {
	root, err := schemaTree(docs, extras)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return b.Bytes(), nil
}

// schemaTree is the schema before encoding: what both the JSON Schema and
// the configuration reference (ReferenceFor) are written from.
func schemaTree(docs map[string]string, extras map[string]map[string]any) (map[string]any, error) {
	root := schemaOf(reflect.TypeOf(Cluster{}), "", docs, extras)
	used := map[string]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		used[path] = true
		switch t.Kind() {
		case reflect.Pointer:
			walk(t.Elem(), path)
		case reflect.Slice:
			walk(t.Elem(), path+"[]")
		case reflect.Map:
			walk(t.Elem(), path+".*")
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				if name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; name != "" && name != "-" {
					walk(t.Field(i).Type, strings.TrimPrefix(path+"."+name, "."))
				}
			}
		}
	}
	walk(reflect.TypeOf(Cluster{}), "")
	for _, p := range sortedKeys(extras) {
		if !used[p] {
			return nil, fmt.Errorf("schema: an override names %q, which is no field of the config", p)
		}
	}
	for _, p := range sortedKeys(requiredKeys) {
		if !used[p] {
			return nil, fmt.Errorf("schema: required keys are listed for %q, which is no field of the config", p)
		}
	}
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["title"] = "Teleport multi-region proxy deployment (teleport-multi-region cluster config)"
	return root, nil
}

func schemaOf(t reflect.Type, path string, docs map[string]string, extras map[string]map[string]any) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s map[string]any
	switch t.Kind() {
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			child := name
			if path != "" {
				child = path + "." + name
			}
			p := schemaOf(f.Type, child, docs, extras)
			if d := docs[t.Name()+"."+f.Name]; d != "" {
				p["description"] = d
			}
			props[name] = p
		}
		s = map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if req := requiredKeys[path]; req != nil {
			s["required"] = req
		}
		if t == reflect.TypeOf(ResourceRegion{}) {
			s = map[string]any{"oneOf": []any{map[string]any{"type": "string", "enum": RegionNames()}, s}}
		}
	case reflect.Slice:
		s = map[string]any{"type": "array", "items": schemaOf(t.Elem(), path+"[]", docs, extras)}
	case reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), path+".*", docs, extras)}
	case reflect.String:
		s = map[string]any{"type": "string"}
	case reflect.Int:
		s = map[string]any{"type": "integer"}
	case reflect.Bool:
		s = map[string]any{"type": "boolean"}
	default:
		s = map[string]any{}
	}
	for k, v := range extras[path] {
		s[k] = v
	}
	return s
}
