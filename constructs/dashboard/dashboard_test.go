package dashboard

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/constructs/alarms"
)

// Widgets stay on the 24-unit grid without overlapping, each section's
// heading spans it, graphs are Columns to a row, and a metric renders as
// CloudWatch reads it: namespace, name, dimension pairs in name order, then
// its rendering properties.
func TestBodyLayout(t *testing.T) {
	m := alarms.Metric{Namespace: "AWS/NetworkELB", Name: "HealthyHostCount", Statistic: "Minimum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"TargetGroup": jsii.String("tg"), "LoadBalancer": jsii.String("lb")}}
	var graphs []Graph
	for i := range 4 {
		graphs = append(graphs, Graph{Title: fmt.Sprint("g", i), Region: "eu-west-1", Lines: []Line{{Metric: m, Label: "ready"}}})
	}
	body := Body("# intro", []Section{{Heading: "A", Graphs: graphs}, {Heading: "B", Graphs: graphs[:1]}})
	if again := Body("# intro", []Section{{Heading: "A", Graphs: graphs}, {Heading: "B", Graphs: graphs[:1]}}); again != body {
		t.Fatal("the body differs between two renderings")
	}
	var doc struct {
		Widgets []struct {
			Type                string `json:"type"`
			X, Y, Width, Height int
			Properties          struct {
				Markdown string  `json:"markdown"`
				Region   string  `json:"region"`
				Metrics  [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Widgets) != 1+1+4+1+1 {
		t.Fatalf("%d widgets", len(doc.Widgets))
	}
	cells := map[[2]int]bool{}
	for i, w := range doc.Widgets {
		if w.X < 0 || w.Width <= 0 || w.X+w.Width > GridWidth || w.Height <= 0 {
			t.Errorf("widget %d off the grid: x %d width %d", i, w.X, w.Width)
		}
		for x := w.X; x < w.X+w.Width; x++ {
			for y := w.Y; y < w.Y+w.Height; y++ {
				if cells[[2]int{x, y}] {
					t.Errorf("widget %d overlaps another at %d,%d", i, x, y)
				}
				cells[[2]int{x, y}] = true
			}
		}
		if w.Type == "metric" {
			want := `["AWS/NetworkELB","HealthyHostCount","LoadBalancer","lb","TargetGroup","tg",{"label":"ready","period":60,"stat":"Minimum"}]`
			got, _ := json.Marshal(w.Properties.Metrics[0])
			if string(got) != want || w.Properties.Region != "eu-west-1" {
				t.Errorf("widget %d metric %s in %q; want %s", i, got, w.Properties.Region, want)
			}
		}
	}
	if doc.Widgets[1].Properties.Markdown != "## A" || doc.Widgets[5].Y == doc.Widgets[2].Y || doc.Widgets[4].Y != doc.Widgets[2].Y {
		t.Errorf("sections and rows: %+v", doc.Widgets)
	}
}
