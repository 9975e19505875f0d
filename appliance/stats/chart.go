package stats

import "fmt"

// The charts are drawn on the server as SVG, whose viewBox lets them
// scale to the page's width: no chart library in the browser, nothing to
// run, and a table beside each says the same in words and figures. The
// box is about a phone's width, so that its text stays readable there.
const (
	chartWidth  = 360.0
	chartHeight = 180.0
	chartTop    = 18.0 // room for the largest value's figure
	chartBottom = 22.0 // room for the labels under the bars
)

// Chart is a bar chart ready to draw.
type Chart struct {
	Width, Height float64
	Bars          []Bar
	Labels        []Label
	Max           int64   // the largest column's total, written at the top
	MaxY          float64 // where
	AxisY         float64 // where the bars stand
	RTL           bool
	Empty         bool
}

// Bar is one rectangle of a chart: a column, or a profile's part of it.
type Bar struct {
	X, Y, W, H float64
	Class      string // the profile's, for its colour
	Title      string // what a pointer resting on it is told
}

// Label is a text under the bars.
type Label struct {
	X, Y float64
	Text string
}

// Column is one column of a chart: its label under it (when shown) and
// its parts, bottom first.
type Column struct {
	Label     string
	ShowLabel bool
	Parts     []Part
}

// Part is a column's share of one kind (a profile).
type Part struct {
	Class, Title string
	Count        int64
}

// Columns draws columns side by side, the tallest filling the height. In
// a right-to-left language they run from the right, as the table beside
// does.
func Columns(cols []Column, rtl bool) Chart {
	c := Chart{Width: chartWidth, Height: chartHeight, RTL: rtl, MaxY: chartTop - 4, AxisY: chartHeight - chartBottom}
	for _, col := range cols {
		var total int64
		for _, p := range col.Parts {
			total += p.Count
		}
		c.Max = max(c.Max, total)
	}
	if len(cols) == 0 || c.Max == 0 {
		c.Empty = true
		return c
	}
	plot := chartHeight - chartTop - chartBottom
	step := chartWidth / float64(len(cols))
	gap := min(step*0.2, 6)
	for i, col := range cols {
		x := float64(i) * step
		if rtl {
			x = chartWidth - x - step
		}
		y := chartHeight - chartBottom
		for _, p := range col.Parts {
			if p.Count == 0 {
				continue
			}
			h := plot * float64(p.Count) / float64(c.Max)
			y -= h
			c.Bars = append(c.Bars, Bar{X: round(x + gap/2), Y: round(y), W: round(step - gap), H: round(h), Class: p.Class, Title: p.Title})
		}
		if col.ShowLabel {
			c.Labels = append(c.Labels, Label{X: round(x + step/2), Y: chartHeight - 6, Text: col.Label})
		}
	}
	return c
}

// round keeps a tenth of a unit: the SVG stays short.
func round(f float64) float64 {
	var r float64
	fmt.Sscanf(fmt.Sprintf("%.1f", f), "%g", &r)
	return r
}
