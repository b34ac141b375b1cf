// Package templates embeds the email and page templates so every function
// binary carries them. Pages and HTML email parts use html/template; the
// plain-text email part uses text/template, which does not HTML-escape.
package templates

import "embed"

// FS holds every template file of this folder.
//
//go:embed *.html *.txt
var FS embed.FS

// App holds the dashboard's page templates (app/*.html, each drawn inside
// app/layout.html) and its stylesheets (app/css/*.css, served as one).
//
//go:embed app
var App embed.FS
