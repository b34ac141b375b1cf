package render

import (
	"math"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/lazy"
)

const defaultColor = "#1f5fbf"

var hexColor = lazy.Regexp(`^#[0-9a-fA-F]{6}$`)

// brandColor returns the store's colour when it is a plain hex colour (the
// only form safe to put in CSS), the default otherwise.
func brandColor(b closeloop.Branding) htmltemplate.CSS {
	if hexColor().MatchString(b.Color) {
		return htmltemplate.CSS(b.Color)
	}
	return defaultColor
}

// onColor picks black or white text for a background, by which has the
// higher WCAG contrast ratio against it.
func onColor(hex string) htmltemplate.CSS {
	l := luminance(hex)
	// Contrast with white: 1.05/(l+.05); with black: (l+.05)/.05.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return "#ffffff"
	}
	return "#000000"
}

func luminance(hex string) float64 {
	channel := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(hex[1:3]) + 0.7152*channel(hex[3:5]) + 0.0722*channel(hex[5:7])
}
