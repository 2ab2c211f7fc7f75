package directive

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestParse(t *testing.T) {
	tests := []struct {
		comment string
		want    []Option
		err     string
	}{
		{comment: "//singleton:generate"},
		{comment: "//singleton:generate \t "},
		{
			comment: "//singleton:generate mode=single  getter=GetInstance",
			want: []Option{
				{Key: "mode", Value: "single", KeyOffset: 21, ValueOffset: 26},
				{Key: "getter", Value: "GetInstance", KeyOffset: 34, ValueOffset: 41},
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
		got, err := Parse(tt.comment)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("Parse(%q) error = %v, want %q", tt.comment, err, tt.err)
			}
		case err != nil:
			t.Errorf("Parse(%q) error = %v", tt.comment, err)
		case len(got) != len(tt.want):
			t.Errorf("Parse(%q) = %+v, want %+v", tt.comment, got, tt.want)
		default:
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Parse(%q) option %d = %+v, want %+v", tt.comment, i, got[i], tt.want[i])
				}
			}
		}
	}
}

func TestParseOptionsReportsEachErrorAtItsValue(t *testing.T) {
	const comment = "//singleton:generate onerror=sometimes getter=9lives"
	_, errs := ParseOptions(comment)
	want := []Error{
		{strings.Index(comment, "sometimes"), "onerror=sometimes: want retry or cache"},
		{strings.Index(comment, "9lives"), "getter=9lives: want a Go identifier"},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %+v, want %+v", errs, want)
	}
	for i := range want {
		if *errs[i] != want[i] {
			t.Errorf("error %d = %+v, want %+v", i, *errs[i], want[i])
		}
	}
}

// FuzzParse checks that the parser never panics, that every option it returns
// is where its offsets say, and that every error points into the comment.
func FuzzParse(f *testing.F) {
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
		opts, err := Parse(comment)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(comment) {
				t.Fatalf("Parse(%q) error %v has no offset in the comment", comment, err)
			}
			return
		}
		if !strings.HasPrefix(comment, Name) {
			t.Fatalf("Parse(%q) accepted a comment that is not the directive", comment)
		}
		seen := map[string]bool{}
		for _, o := range opts {
			if seen[o.Key] {
				t.Fatalf("Parse(%q) returned key %q twice", comment, o.Key)
			}
			seen[o.Key] = true
			if o.Key == "" || o.Value == "" || strings.IndexFunc(o.Key, unicode.IsSpace) >= 0 || strings.IndexFunc(o.Value, unicode.IsSpace) >= 0 {
				t.Fatalf("Parse(%q) returned option %+v", comment, o)
			}
			if comment[o.KeyOffset:o.KeyOffset+len(o.Key)] != o.Key || comment[o.ValueOffset-1] != '=' ||
				comment[o.ValueOffset:o.ValueOffset+len(o.Value)] != o.Value {
				t.Fatalf("Parse(%q): option %+v is not where its offsets say", comment, o)
			}
		}
	})
}

func TestParseOptionsOfBoundsAndLifecycle(t *testing.T) {
	o, errs := ParseOptions("//singleton:generate mode=keyed max=100 idle=90s global=off lifecycle=on name=Pool close=Drain")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs[0])
	}
	if !o.Keyed || o.Max != 100 || o.Idle != 90*time.Second || o.Global || !o.Lifecycle || o.Name != "Pool" || o.CloseMethod != "Drain" || !o.TestHooks {
		t.Errorf("options = %+v", o)
	}
	if !o.Given("max") || o.Given("getter") || o.Offset("max") != strings.Index("//singleton:generate mode=keyed max=100", "100") {
		t.Errorf("Given/Offset of max = %v/%d", o.Given("max"), o.Offset("max"))
	}
	for _, tt := range []struct{ comment, err string }{
		{"//singleton:generate max=0", "max=0: want a whole number of instances, at least 1"},
		{"//singleton:generate max=ten", "max=ten: want a whole number of instances, at least 1"},
		{"//singleton:generate idle=5", "idle=5: want a positive duration with its unit, such as 30s or 10m"},
		{"//singleton:generate idle=-1s", "idle=-1s: want a positive duration with its unit, such as 30s or 10m"},
		{"//singleton:generate global=no", "global=no: want on or off"},
		{"//singleton:generate mode=keyed // one per tenant", "a directive line takes no comment: put the comment on a line of its own"},
		{"//singleton:generate mode=keyed,onerror=retry", "options are separated by spaces, not commas: mode=keyed onerror=retry"},
	} {
		_, errs := ParseOptions(tt.comment)
		if len(errs) != 1 || errs[0].Msg != tt.err {
			t.Errorf("ParseOptions(%q) = %v, want %q", tt.comment, errs, tt.err)
		}
	}
}
