package render

// ChangeClass is the dark palette's class for the change's colour (see
// ChangeColor): the light greens and reds read poorly on a dark ground.
func (m DigestMetric) ChangeClass() string {
	switch m.ChangeColor() {
	case "#0d652d":
		return "cl-good"
	case "#b3261e":
		return "cl-bad"
	}
	return "cl-muted"
}
