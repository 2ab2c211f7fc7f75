// Command chart reads `go test -bench` output on stdin and writes an SVG bar chart, on a
// log scale, of the median ns/op of each single-threaded accessor benchmark: the cost of
// reading a built instance, approach by approach.
package main

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// charted are the benchmarks drawn: reads of a built instance, one goroutine.
var charted = regexp.MustCompile(`^Benchmark(NoArg|NoArgErr|StringArg|Context|Keyed)/(keys=\d+/)?approach=(\S+?)-\d+$`)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

type bar struct {
	label string
	ns    float64
}

func run(in io.Reader, out io.Writer) error {
	samples := map[string][]float64{}
	scanner := bufio.NewScanner(in)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 4 || fields[3] != "ns/op" {
			continue
		}
		m := charted.FindStringSubmatch(fields[0])
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(fields[2], 64)
		if err != nil {
			continue
		}
		label := m[1] + ": " + m[3]
		if m[2] != "" {
			label = m[1] + " " + strings.TrimSuffix(m[2], "/") + ": " + m[3]
		}
		samples[label] = append(samples[label], ns)
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("no accessor benchmarks on stdin")
	}
	var bars []bar
	for label, ns := range samples {
		slices.Sort(ns)
		bars = append(bars, bar{label, ns[len(ns)/2]})
	}
	sort.Slice(bars, func(i, j int) bool { return bars[i].ns < bars[j].ns })

	const (
		left, right, top, rowHeight = 330, 80, 50, 22
		width                       = 1000
		minLog, maxLog              = -1.0, 5.0 // 0.1 ns to 100 µs
	)
	height := top + rowHeight*len(bars) + 40
	x := func(ns float64) float64 {
		l := math.Log10(math.Max(ns, 0.1))
		return left + (l-minLog)/(maxLog-minLog)*(width-left-right)
	}
	fmt.Fprintf(out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(out, `<text x="%d" y="20" font-size="15">Cost of reading a built instance, one goroutine (ns/op, log scale; median of runs)</text>`+"\n", 10)
	for p := minLog; p <= maxLog; p++ {
		px := x(math.Pow(10, p))
		fmt.Fprintf(out, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", px, top-5, px, height-30)
		fmt.Fprintf(out, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", px, height-15, tick(p))
	}
	for i, b := range bars {
		y := top + i*rowHeight
		color := "#9aa7b8"
		if strings.Contains(b.label, "generated") {
			color = "#2b7bb9"
		}
		fmt.Fprintf(out, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+14, html.EscapeString(b.label))
		fmt.Fprintf(out, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, y+3, x(b.ns)-left, rowHeight-6, color)
		fmt.Fprintf(out, `<text x="%.1f" y="%d" fill="#333">%s</text>`+"\n", x(b.ns)+5, y+14, format(b.ns))
	}
	fmt.Fprintln(out, "</svg>")
	return nil
}

func tick(p float64) string {
	return format(math.Pow(10, p))
}

func format(ns float64) string {
	switch {
	case ns >= 1000:
		return strconv.FormatFloat(ns/1000, 'g', 3, 64) + " µs"
	default:
		return strconv.FormatFloat(ns, 'g', 3, 64) + " ns"
	}
}
