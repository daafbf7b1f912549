// Package dashboard provides the cluster's CloudWatch dashboard: one page
// with every region's proxies, Route 53's view of them, the auth servers,
// the state tables and the certificate, built from the same metric
// definitions the alarms use (alarms.Metric, from the constructs that own
// each metric), so that a graph shows what its alarm watches.
//
// The body is the CloudWatch dashboard body structure (CloudWatch API
// reference, "Dashboard Body Structure and Syntax"): widgets on a grid 24
// units wide, each metric widget with its own region, metrics as arrays of
// [namespace, name, dimension name, value, ..., {rendering properties}].
package dashboard

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// GridWidth is the width of a dashboard's grid; Columns widgets share a row.
const (
	GridWidth    = 24
	Columns      = 3
	widgetHeight = 6
)

// Line is one graphed metric.
type Line struct {
	Metric alarms.Metric
	Label  string
}

// Graph is a metric widget.
type Graph struct {
	Title string
	// Region is where the metrics are (CloudWatch reads each widget's
	// metrics in its own region).
	Region string
	Lines  []Line
	// Threshold draws a horizontal line (an alarm's threshold), unless nil.
	Threshold *float64
}

// Section is a heading and the graphs under it, Columns to a row.
type Section struct {
	Heading string
	Graphs  []Graph
}

// Props configures a Dashboard.
type Props struct {
	// Provider manages the dashboard's region.
	Provider cdktf.TerraformProvider
	Name     string
	Region   string
	// Intro is the Markdown at the top.
	Intro    string
	Sections []Section
}

// Dashboard is the created dashboard.
type Dashboard struct {
	constructs.Construct
	Name string
	// URL opens it in the console.
	URL string
}

// New creates the dashboard.
func New(scope constructs.Construct, id string, props *Props) *Dashboard {
	c := constructs.NewConstruct(scope, jsii.String(id))
	cloudwatchdashboard.NewCloudwatchDashboard(c, jsii.String("dashboard"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		Provider:      props.Provider,
		DashboardName: jsii.String(props.Name),
		DashboardBody: jsii.String(Body(props.Intro, props.Sections)),
	})
	return &Dashboard{Construct: c, Name: props.Name, URL: URL(props.Region, props.Name)}
}

// URL is the console address of the dashboard name in region.
func URL(region, name string) string {
	return fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards/dashboard/%s", region, region, name)
}

type widget struct {
	Type       string `json:"type"`
	X          int    `json:"x"`
	Y          int    `json:"y"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Properties any    `json:"properties"`
}

type text struct {
	Markdown string `json:"markdown"`
}

type metricProps struct {
	Title       string         `json:"title"`
	Region      string         `json:"region"`
	View        string         `json:"view"`
	Period      int            `json:"period"`
	Metrics     [][]any        `json:"metrics"`
	Annotations *annotations   `json:"annotations,omitempty"`
	YAxis       map[string]any `json:"yAxis,omitempty"`
}

type annotations struct {
	Horizontal []horizontal `json:"horizontal"`
}

type horizontal struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

type rendering struct {
	Stat   string `json:"stat"`
	Period int    `json:"period"`
	Label  string `json:"label"`
}

// Body renders the dashboard body: the intro across the grid, then each
// section's heading and its graphs. Dimension values may be tokens
// (references to other stacks' resources), which Terraform interpolates
// into the string. Deterministic: no map is iterated unsorted.
func Body(intro string, sections []Section) string {
	var widgets []widget
	y := 0
	add := func(w widget) { widgets = append(widgets, w) }
	add(widget{Type: "text", X: 0, Y: y, Width: GridWidth, Height: 2, Properties: text{Markdown: intro}})
	y += 2
	width := GridWidth / Columns
	for _, s := range sections {
		add(widget{Type: "text", X: 0, Y: y, Width: GridWidth, Height: 1, Properties: text{Markdown: "## " + s.Heading}})
		y++
		for i, g := range s.Graphs {
			if i > 0 && i%Columns == 0 {
				y += widgetHeight
			}
			period := 60
			var metrics [][]any
			for _, l := range g.Lines {
				row := []any{l.Metric.Namespace, l.Metric.Name}
				names := make([]string, 0, len(l.Metric.Dimensions))
				for k := range l.Metric.Dimensions {
					names = append(names, k)
				}
				slices.Sort(names)
				for _, k := range names {
					row = append(row, k, *l.Metric.Dimensions[k])
				}
				row = append(row, rendering{Stat: l.Metric.Statistic, Period: l.Metric.PeriodSeconds, Label: l.Label})
				metrics = append(metrics, row)
				period = max(period, l.Metric.PeriodSeconds)
			}
			p := metricProps{Title: g.Title, Region: g.Region, View: "timeSeries", Period: period, Metrics: metrics}
			if g.Threshold != nil {
				p.Annotations = &annotations{Horizontal: []horizontal{{Value: *g.Threshold, Label: "alarm threshold"}}}
			}
			add(widget{Type: "metric", X: (i % Columns) * width, Y: y, Width: width, Height: widgetHeight, Properties: p})
		}
		if len(s.Graphs) > 0 {
			y += widgetHeight
		}
	}
	out, err := json.Marshal(struct {
		Widgets []widget `json:"widgets"`
	}{widgets})
	if err != nil {
		// Only strings, numbers and the structs above: cannot fail.
		panic(fmt.Sprintf("dashboard body: %v", err))
	}
	return string(out)
}
