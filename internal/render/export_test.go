package render

// CheckMailSafe lets the golden tests (package render_test) check every
// golden email as this package's tests check theirs.
var CheckMailSafe = checkMailSafe
