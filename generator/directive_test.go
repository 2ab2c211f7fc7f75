package generator

import (
	"errors"
	"go/token"
	"strings"
	"testing"
	"unicode"
)

func TestParseDirective(t *testing.T) {
	tests := []struct {
		comment string
		want    []option
		err     string
	}{
		{comment: "//singleton:generate"},
		{comment: "//singleton:generate \t "},
		{
			comment: "//singleton:generate mode=single  getter=GetInstance",
			want: []option{
				{key: "mode", value: "single", keyOffset: 21, valueOffset: 26},
				{key: "getter", value: "GetInstance", keyOffset: 34, valueOffset: 41},
			},
		},
		{comment: "//singleton:generated", err: "unknown directive //singleton:generated (want //singleton:generate)"},
		{comment: "//singleton:gen mode=single", err: "unknown directive //singleton:gen (want //singleton:generate)"},
		{comment: "//singleton:generate mode", err: "option mode has no value (want mode=value)"},
		{comment: "//singleton:generate mode=", err: "option mode has an empty value"},
		{comment: "//singleton:generate =x", err: `option "=x" has no key (want key=value)`},
		{comment: "//singleton:generate close=auto close=never", err: "option close is given twice"},
	}
	for _, tt := range tests {
		got, err := parseDirective(tt.comment)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseDirective(%q) error = %v, want %q", tt.comment, err, tt.err)
			}
		case err != nil:
			t.Errorf("parseDirective(%q) error = %v", tt.comment, err)
		case len(got) != len(tt.want):
			t.Errorf("parseDirective(%q) = %+v, want %+v", tt.comment, got, tt.want)
		default:
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("parseDirective(%q) option %d = %+v, want %+v", tt.comment, i, got[i], tt.want[i])
				}
			}
		}
	}
}

func TestParseOptionsPositionsErrorsAtTheirColumn(t *testing.T) {
	const comment = "//singleton:generate onerror=sometimes getter=9lives"
	_, diags := parseOptions(comment, token.Pos(100))
	want := []diagnostic{
		{token.Pos(100 + strings.Index(comment, "sometimes")), "onerror=sometimes: want retry or cache"},
		{token.Pos(100 + strings.Index(comment, "9lives")), "getter=9lives: want a Go identifier"},
	}
	if len(diags) != len(want) {
		t.Fatalf("diagnostics = %+v, want %+v", diags, want)
	}
	for i := range want {
		if diags[i] != want[i] {
			t.Errorf("diagnostic %d = %+v, want %+v", i, diags[i], want[i])
		}
	}
}

// FuzzParseDirective checks that the parser never panics, that every option it returns
// is where its offsets say, and that every error points into the comment.
func FuzzParseDirective(f *testing.F) {
	for _, seed := range []string{
		"//singleton:generate",
		"//singleton:generate mode=single onerror=cache close=never",
		"//singleton:generate getter=GetInstance manager=Pool instance=GetPool testhooks=off constructor=Open",
		"//singleton:generate a==b =c d= e",
		"//singleton:generate\tx=1\u00a0y=2",
		"//singleton:generated",
		"//singleton:",
		"//singleton:generate mode=single mode=keyed",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, comment string) {
		opts, err := parseDirective(comment)
		if err != nil {
			var se *syntaxError
			if !errors.As(err, &se) || se.offset < 0 || se.offset > len(comment) {
				t.Fatalf("parseDirective(%q) error %v has no offset in the comment", comment, err)
			}
			return
		}
		if !strings.HasPrefix(comment, directiveName) {
			t.Fatalf("parseDirective(%q) accepted a comment that is not the directive", comment)
		}
		seen := map[string]bool{}
		for _, o := range opts {
			if seen[o.key] {
				t.Fatalf("parseDirective(%q) returned key %q twice", comment, o.key)
			}
			seen[o.key] = true
			if o.key == "" || o.value == "" || strings.IndexFunc(o.key, unicode.IsSpace) >= 0 || strings.IndexFunc(o.value, unicode.IsSpace) >= 0 {
				t.Fatalf("parseDirective(%q) returned option %+v", comment, o)
			}
			if comment[o.keyOffset:o.keyOffset+len(o.key)] != o.key || comment[o.valueOffset-1] != '=' ||
				comment[o.valueOffset:o.valueOffset+len(o.value)] != o.value {
				t.Fatalf("parseDirective(%q): option %+v is not where its offsets say", comment, o)
			}
		}
	})
}
