package generator

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"NewClient", "NewClient", 0},
		{"NewClnt", "NewClient", 2},
		{"newClient", "NewClient", 1},
		{"Dail", "Dial", 1},
		{"NewClientt", "NewClient", 1},
		{"Open", "Close", 5},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	funcs := []string{"Dial", "NewClient", "NewToken", "Open"}
	for _, tt := range []struct{ name, want string }{
		{"NewClnt", "NewClient"},
		{"newClient", "NewClient"},
		{"Dail", "Dial"},
		{"NewTokn", "NewToken"},
		{"Connect", ""},  // nothing close
		{"Opn", "Open"},  // one edit in three letters
		{"Op", ""},       // Open is two edits away from two letters
		{"NewThing", ""}, // three edits from NewToken: more than a third of 8
	} {
		if got := closest(tt.name, funcs); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
