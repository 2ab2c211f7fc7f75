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

// chartedNew are the rows of the benchmarks added with annotated functions, lifecycle=on,
// With and bounded keyed managers; the rows they share with the benchmarks above (their
// decl=type, lifecycle=off and unbounded peers) are left out. Each maps a benchmark's
// name to its label, or "".
var chartedNew = []struct {
	re    *regexp.Regexp
	label func(m []string) string
}{
	{regexp.MustCompile(`^BenchmarkFunc/result=(\S+?)/accessor=(\S+?)/decl=func-\d+$`),
		func(m []string) string { return "Func result=" + m[1] + ": generated-" + m[2] + " (annotated func)" }},
	{regexp.MustCompile(`^BenchmarkLifecycle/accessor=(\S+?)/lifecycle=on-\d+$`),
		func(m []string) string { return "Lifecycle: generated-" + m[1] + " (lifecycle=on)" }},
	{regexp.MustCompile(`^BenchmarkWith/mode=(\S+?)/approach=With-\d+$`),
		func(m []string) string { return "With mode=" + m[1] + ": generated-With" }},
	{regexp.MustCompile(`^BenchmarkBounded/keys=(\d+)/approach=(\S+?)-\d+$`),
		func(m []string) string {
			if m[2] == "generated-Get-unbounded" {
				return ""
			}
			return "Bounded keys=" + m[1] + ": " + m[2]
		}},
}

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
		label := labelOf(fields[0])
		if label == "" {
			continue
		}
		ns, err := strconv.ParseFloat(fields[2], 64)
		if err != nil {
			continue
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
		left, right, top, rowHeight = 400, 80, 50, 22
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

// labelOf returns the label of a charted benchmark's bar, or "".
func labelOf(name string) string {
	if m := charted.FindStringSubmatch(name); m != nil {
		if m[2] != "" {
			return m[1] + " " + strings.TrimSuffix(m[2], "/") + ": " + m[3]
		}
		return m[1] + ": " + m[3]
	}
	for _, c := range chartedNew {
		if m := c.re.FindStringSubmatch(name); m != nil {
			return c.label(m)
		}
	}
	return ""
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
