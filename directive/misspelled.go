package directive

import (
	"bytes"
	"strings"
)

// marker is the directive's name without the comment's slashes: what a misspelling
// starts with, in any case.
const marker = "singleton:generate"

// Misspelled reports whether a comment was meant as the directive but is not read as
// one, and returns the message that says why, with the fix. Such a comment's text
// starts, after // or /* and any spaces, with singleton:generate in any case:
// // singleton:generate, //Singleton:generate, /* singleton:generate */. The directive
// itself is not a misspelling (Is reports it, and Parse its mistakes), nor is prose that
// mentions it mid-line, nor a code block of a doc comment that quotes it
// (//	//singleton:generate), nor prose that a line break made start with it (see
// readsAsDirective).
func Misspelled(comment string) (msg string, ok bool) {
	if Is(comment) {
		return "", false
	}
	block := strings.HasPrefix(comment, "/*")
	if !block && !strings.HasPrefix(comment, "//") {
		return "", false
	}
	body := comment[2:]
	spaces := " \t"
	if block {
		// A block comment has no indented code blocks: any white space counts.
		spaces = " \t\r\n"
	}
	text := strings.TrimLeft(body, spaces)
	if !hasPrefixFold(text, marker) {
		return "", false
	}
	start := len(comment) - len(text)
	end := start + wordLen(text)
	if !readsAsDirective(comment[start:end], comment[end:]) {
		return "", false
	}
	written := comment[:end]
	var fix []string
	if block {
		// The message is one line: a block comment is quoted whole only when it is one.
		if strings.TrimSpace(comment[end:]) != "*/" || strings.ContainsAny(comment, "\r\n") {
			written = "/* " + text[:end-start] + " ... */"
		} else {
			written = comment
		}
		fix = append(fix, "a line comment")
	}
	if text[:len(marker)] != marker {
		fix = append(fix, "in lower case")
	}
	if !block && start > 2 {
		fix = append(fix, "with no space after //")
	}
	return written + " is not read as a directive: write " + Name + ", " + strings.Join(fix, " and "), true
}

// readsAsDirective reports whether word, which starts with the marker, and the rest of
// its comment read as a directive rather than as prose that a line break happened to
// start with it: the marker may run on in letters (singleton:generated), and be
// followed by nothing, by options (mode=keyed) or by a comment. "singleton:generate."
// and "singleton:generate is the directive" are prose.
func readsAsDirective(word, rest string) bool {
	for i := len(marker); i < len(word); i++ {
		if c := lower(word[i]); c < 'a' || c > 'z' {
			return false
		}
	}
	fields := strings.Fields(strings.TrimSuffix(strings.TrimSpace(rest), "*/"))
	return len(fields) == 0 || strings.Contains(fields[0], "=") || strings.HasPrefix(fields[0], "//")
}

// wordLen returns the length of the word text starts with: up to a space or the end
// of a block comment.
func wordLen(text string) int {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case ' ', '\t', '\r', '\n':
			return i
		case '*':
			if strings.HasPrefix(text[i:], "*/") {
				return i
			}
		}
	}
	return len(text)
}

// hasPrefixFold reports whether s starts with prefix, an ASCII lower-case word, in any
// case. Only ASCII letters fold: strings.EqualFold would take the Kelvin sign for a k,
// and a prefix of s of another length than prefix.
func hasPrefixFold[T string | []byte](s T, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// lower returns b in lower case if it is an ASCII letter.
func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// MayHold reports whether Go source src may hold a directive or a misspelling of one
// (see Is and Misspelled): whether it has //singleton: or, in any case,
// singleton:generate. It is the loader's filter before parsing, so it must never say
// no to a file with either, and it runs on every file of every package listed, so it
// allocates nothing: it looks at the bytes around each colon.
func MayHold(src []byte) bool {
	const before, after = "singleton", "generate"
	for i := 0; ; i++ {
		j := bytes.IndexByte(src[i:], ':')
		if j < 0 {
			return false
		}
		i += j
		if i < len(before) || lower(src[i-1]) != 'n' || !hasPrefixFold(src[i-len(before):], before) {
			continue
		}
		if hasPrefixFold(src[i+1:], after) {
			return true
		}
		if bytes.HasSuffix(src[:i+1], []byte(Prefix)) {
			return true
		}
	}
}
