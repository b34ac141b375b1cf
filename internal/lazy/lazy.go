// Package lazy builds a package's fixed values on first use rather than in
// init: every function pays for its packages' init at each cold start,
// though one start uses few of the values (compiling the closeloop
// package's five regular expressions alone took about 0.15 ms of it).
package lazy

import (
	"regexp"
	"sync"
)

// Regexp returns a function that compiles expr on its first call, once,
// and returns that regular expression from then on. An expr that does not
// compile panics on that first call, as regexp.MustCompile does in init:
// each package's tests use its expressions.
func Regexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
