package generator

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// unmatchedPatterns reports the patterns with a wildcard that match none of the listed
// packages, in the go command's words ("./x/..." matched no packages). The go command
// only warns of them, but a go:generate line that matches nothing is a mistake, and it
// must not pass for a success. A pattern without a wildcard names one package, and the
// go command reports an error when there is none; so it does for a pattern under a
// folder that does not exist, in a package named after the pattern.
func (l *loader) unmatchedPatterns(listed []*packages.Package) {
	for _, pattern := range l.cfg.Patterns {
		if !strings.Contains(pattern, "...") || slices.ContainsFunc(listed, func(lp *packages.Package) bool { return lp.PkgPath == pattern }) {
			continue
		}
		if !l.matchesAny(pattern, listed) {
			l.problems = append(l.problems, Diagnostic{Message: fmt.Sprintf("%q matched no packages", pattern)})
		}
	}
}

// matchesAny reports whether pattern matches a listed package: by folder when the
// pattern is a path in the file system (./..., /src/...), else by import path. The go
// command runs in the configured folder, so its folders start as the pattern does.
func (l *loader) matchesAny(pattern string, listed []*packages.Package) bool {
	local := strings.HasPrefix(pattern, "./") || strings.HasPrefix(pattern, "../") || filepath.IsAbs(pattern)
	if local && !filepath.IsAbs(pattern) {
		pattern = filepath.Join(l.cfg.Dir, pattern)
	}
	re := patternRegexp(filepath.ToSlash(pattern))
	for _, lp := range listed {
		name := lp.PkgPath
		if local {
			name = filepath.ToSlash(lp.Dir)
		}
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// patternRegexp returns the regular expression of a package pattern, as the go
// command reads one: ... matches any string, and x/... matches x too.
func patternRegexp(pattern string) *regexp.Regexp {
	re := strings.ReplaceAll(regexp.QuoteMeta(pattern), `\.\.\.`, `.*`)
	if strings.HasSuffix(re, `/.*`) {
		re = strings.TrimSuffix(re, `/.*`) + `(/.*)?`
	}
	return regexp.MustCompile(`^` + re + `$`)
}
