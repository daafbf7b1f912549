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
	if len(words) > 0 && words[0] == name {
		words = words[1:]
		if len(words) > 1 && (words[0] == "is" || words[0] == "are") {
			words = words[1:]
		}
	}
	d := strings.Join(words, " ")
	if d != "" {
		d = strings.ToUpper(d[:1]) + d[1:]
	}
	return d
}

// schemaExtras are what the types alone do not say: defaults, enums,
// patterns and ranges, by field path ("proxy_regions[].az_count" for list
// items, "ami.ids.*" for map values).
func schemaExtras() map[string]map[string]any {
	regions := RegionNames()
	zone := `^([a-z]+[0-9]+-az[0-9]+|[a-z]{2}-[a-z]+-[0-9][a-z])$`
	vpc := func(prefix string) map[string]map[string]any {
		return map[string]map[string]any{
			prefix + ".region":                    {"enum": regions},
			prefix + ".vpc_cidr":                  {"pattern": `^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|2[0-4])$`},
			prefix + ".az_count":                  {"minimum": 2, "maximum": MaxAZCount, "default": DefaultAZCount},
			prefix + ".zones[]":                   {"pattern": zone},
			prefix + ".instances.type":            {"default": DefaultInstanceType, "pattern": instanceTypeRe.String()},
			prefix + ".instances.count":           {"minimum": 1, "maximum": MaxInstanceCount, "default": DefaultInstanceCount},
			prefix + ".instances.volume_size_gib": {"minimum": 8, "maximum": 16384, "default": DefaultVolumeSizeGiB},
		}
	}
	out := map[string]map[string]any{
		"cluster_name":                    {"pattern": clusterNameRe.String(), "maxLength": MaxClusterNameLen},
		"teleport_version":                {"pattern": versionRe.String()},
		"auth.teleport_version":           {"pattern": versionRe.String()},
		"edition":                         {"enum": []string{EditionEnterprise, EditionOSS}, "default": DefaultEdition},
		"agent_connection_count":          {"minimum": 2, "default": DefaultAgentConnectionCount},
		"hosted_zone_id":                  {"pattern": zoneIDRe.String()},
		"acme_email":                      {"format": "email"},
		"alerts.email":                    {"format": "email"},
		"peering.mode":                    {"enum": []string{PeeringVPC, PeeringPublic}, "default": DefaultPeeringMode},
		"connectivity.mode":               {"enum": []string{ConnectivityVPCPeering, ConnectivityTransitGateway}, "default": ConnectivityVPCPeering},
		"backend.type":                    {"enum": []string{BackendLocal, BackendS3}, "default": DefaultBackendType},
		"flow_logs.traffic_type":          {"enum": []string{"REJECT", "ALL"}, "default": DefaultFlowLogTrafficType},
		"flow_logs.retention_days":        {"enum": flowLogRetentions, "default": DefaultFlowLogRetentionDays},
		"ami.ssm_parameter":               {"default": DefaultAMISSMParameter},
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
func SchemaFor(docs map[string]string) ([]byte, error) {
	extras := schemaExtras()
	root := schemaOf(reflect.TypeOf(Cluster{}), "", docs, extras)
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["title"] = "Teleport multi-region proxy deployment (teleport-multi-region cluster config)"
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return b.Bytes(), nil
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
