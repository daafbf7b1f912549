package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/config"
)

// summary writes what a reviewer asks first: which cluster, which
// release (and its known advisories), where, how big, from which image,
// with which state backend, and how many resources each stack holds. The
// cluster's identity comes from the config; the rest from the JSON.
func summary(b *strings.Builder, o *Output, c *config.Cluster) {
	b.WriteString("## Summary\n\n| | |\n| --- | --- |\n")
	if c != nil {
		fmt.Fprintf(b, "| Cluster | `%s` at %s (Route 53 zone %s) |\n", c.ClusterName, c.Domain, c.HostedZone)
		teleport := fmt.Sprintf("%s %s", c.TeleportVersion, c.Edition)
		if c.Auth.TeleportVersion != c.TeleportVersion {
			teleport = fmt.Sprintf("%s %s on the proxies, %s on the auth servers", c.TeleportVersion, c.Edition, c.Auth.TeleportVersion)
		}
		if c.ProxyPeering() {
			teleport += fmt.Sprintf("; proxy peering over %s, %d connections per agent", c.Peering.Mode, c.AgentConnectionCount)
		} else {
			teleport += "; agent mesh (no proxy peering)"
		}
		fmt.Fprintf(b, "| Teleport | %s |\n", teleport)
		fmt.Fprintf(b, "| Support | %s |\n", support(c))
		fmt.Fprintf(b, "| Advisories | %s |\n", advisories(c))
		var active, retired []string
		for _, p := range c.ProxyRegions {
			if p.Retired {
				retired = append(retired, p.Region)
			} else {
				active = append(active, p.Region)
			}
		}
		proxies := strings.Join(active, ", ")
		if len(retired) > 0 {
			proxies += " (retired, destroyed by the next deploy: " + strings.Join(retired, ", ") + ")"
		}
		fmt.Fprintf(b, "| Auth region | %s |\n| Proxy regions | %s |\n", c.Auth.Region, proxies)
		fmt.Fprintf(b, "| Connectivity | %s |\n", c.Connectivity.Mode)
	}
	fmt.Fprintf(b, "| Image | %s |\n", imageSource(o))
	fmt.Fprintf(b, "| State backend | %s |\n\n", backendOf(o))

	b.WriteString("| Stack | Region | Instances | Resources | Data sources |\n| --- | --- | --- | --- | --- |\n")
	total := 0
	for _, name := range o.Names() {
		s := o.Stacks[name]
		resources, data := count(s, "resource"), count(s, "data")
		total += resources
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d |\n", name, s.Region(), instancesOf(s), resources, data)
	}
	fmt.Fprintf(b, "| **all** | | | **%d** | |\n\n", total)
}

// support says whether Teleport supports the cluster's major lines
// (config.Lines), judged by config.Now.
func support(c *config.Cluster) string {
	var out []string
	seen := map[int]bool{}
	for _, s := range []string{c.Auth.TeleportVersion, c.TeleportVersion} {
		v, err := config.ParseVersion(s)
		if err != nil || seen[v.Major] {
			continue
		}
		seen[v.Major] = true
		out = append(out, config.SupportStatus(v, config.Now()))
	}
	return strings.Join(out, "<br>")
}

// advisories lists the known advisories (config.Advisories) that affect the
// cluster's releases.
func advisories(c *config.Cluster) string {
	var out []string
	seen := map[string]bool{}
	for _, s := range []string{c.Auth.TeleportVersion, c.TeleportVersion} {
		v, err := config.ParseVersion(s)
		if err != nil {
			continue
		}
		for _, a := range config.Advisories {
			if a.Affects(v, c.ProxyPeering()) && !seen[a.ID] {
				seen[a.ID] = true
				rg, _ := a.RangeOf(v, c.ProxyPeering())
				out = append(out, fmt.Sprintf("**%s** affects %s (fixed in %s): %s", a.ID, v, rg.Fixed, a.Breaks))
			}
		}
	}
	if len(out) == 0 {
		return "none known for these releases (config/advisories.go)"
	}
	return strings.Join(out, "<br>")
}

// count returns how many resources (kind "resource") or data sources
// (kind "data") the stack declares.
func count(s Stack, kind string) int {
	n := 0
	block, _ := s[kind].(map[string]any)
	for _, byType := range block {
		m, _ := byType.(map[string]any)
		n += len(m)
	}
	return n
}

// instancesOf describes the stack's Auto Scaling groups: count, type and
// root volume of their launch templates.
func instancesOf(s Stack) string {
	templates := s.Resources("aws_launch_template")
	var out []string
	for _, id := range sortedIDs(s.Resources("aws_autoscaling_group")) {
		g := s.Resources("aws_autoscaling_group")[id]
		ref := fmt.Sprint(path(g, "launch_template", "id"))
		for tid, lt := range templates {
			if strings.Contains(ref, "aws_launch_template."+tid+".") {
				out = append(out, fmt.Sprintf("%v × %v, %v GiB", g["desired_capacity"], lt["instance_type"], path(lt, "block_device_mappings", 0, "ebs", "volume_size")))
			}
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "<br>")
}

// imageSource says where the instances' images come from: the SSM
// parameters they resolve at apply time, the pinned AMI ids, or Teleport's
// published AMIs. A launch template reads its image through an aws_ami
// data source (Teleport's look-up, or the architecture check of an SSM or
// pinned image by id).
func imageSource(o *Output) string {
	params, pinned, teleport := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, name := range o.Names() {
		s := o.Stacks[name]
		for _, lt := range s.Resources("aws_launch_template") {
			image := fmt.Sprint(lt["image_id"])
			if id := strings.TrimSuffix(strings.TrimPrefix(image, "${data.aws_ami."), ".id}"); id != image {
				ami := s.Data("aws_ami")[id]
				filters := map[string]string{}
				for _, f := range anyList(ami["filter"]) {
					m, _ := f.(map[string]any)
					filters[fmt.Sprint(m["name"])] = fmt.Sprint(anyList(m["values"])...)
				}
				if filters["image-id"] == "" {
					teleport[fmt.Sprintf("%s (%s, owner %s)", filters["name"], filters["architecture"], fmt.Sprint(anyList(ami["owners"])...))] = true
					continue
				}
				image = filters["image-id"]
			}
			if id := strings.TrimSuffix(strings.TrimPrefix(image, "${data.aws_ssm_parameter."), ".value}"); id != image {
				params[fmt.Sprint(s.Data("aws_ssm_parameter")[id]["name"])] = true
			} else {
				pinned[s.Region()+" "+image] = true
			}
		}
	}
	var parts []string
	if len(params) > 0 {
		parts = append(parts, "SSM parameter "+codeList(params)+", resolved at every apply (a new image rolls the groups; pin ami.ids in production)")
	}
	if len(pinned) > 0 {
		parts = append(parts, "pinned: "+codeList(pinned))
	}
	if len(teleport) > 0 {
		parts = append(parts, "Teleport's published AMI "+codeList(teleport))
	}
	if len(parts) == 0 {
		return "no instances"
	}
	return strings.Join(parts, "; ")
}

func codeList(set map[string]bool) string {
	var out []string
	for k := range set {
		out = append(out, "`"+k+"`")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// backendOf describes the stacks' Terraform backend.
func backendOf(o *Output) string {
	kinds := map[string]bool{}
	for _, name := range o.Names() {
		backends, _ := path(o.Stacks[name], "terraform", "backend").(map[string]any)
		for kind, cfg := range backends {
			switch kind {
			case "local":
				kinds["local: `terraform.<stack>.tfstate` in the project root"] = true
			case "s3":
				lock := "no locking"
				if path(cfg, "dynamodb_table") != nil {
					lock = fmt.Sprintf("lock table `%v`", path(cfg, "dynamodb_table"))
				} else if path(cfg, "use_lockfile") == true {
					lock = "S3-native locking"
				}
				key := fmt.Sprint(path(cfg, "key"))
				if i := strings.LastIndex(key, "/"); i >= 0 {
					key = key[:i+1] + "<stack>.tfstate"
				}
				kinds[fmt.Sprintf("s3: bucket `%v` (%v), key `%s`, %s", path(cfg, "bucket"), path(cfg, "region"), key, lock)] = true
			default:
				kinds[kind] = true
			}
		}
	}
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// anyList is v as a JSON list, or nil.
func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}
