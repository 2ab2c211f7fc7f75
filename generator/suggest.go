package generator

// closest returns the candidate nearest to name, for a "did you mean" when name is
// not declared: at most a third of name's length away (between 1 and 3 edits), so
// that only a slip of the keyboard gets a suggestion, or "" when none is that close.
// Ties go to the candidate that comes first.
func closest(name string, candidates []string) string {
	limit := min(max(len(name)/3, 1), 3)
	best, bestDistance := "", limit+1
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDistance {
			best, bestDistance = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b: how many
// insertions, deletions, substitutions and swaps of adjacent bytes turn a into b.
// Identifiers are nearly always ASCII, so bytes will do.
func editDistance(a, b string) int {
	// rows[i%3][j] is the distance between a[:i] and b[:j].
	var rows [3][]int
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev2, prev, cur := rows[(i+1)%3], rows[(i-1)%3], rows[i%3]
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[len(a)%3][len(b)]
}
