// Package settings changes a store's settings: the one place that decodes
// a change field by field, validates it (closeloop.Settings.Validate, the
// sender grant, webhook and Slack URLs) and saves it on condition of the
// version read. The store API's PUT /v1/settings and the dashboard's
// settings form both call it, so they accept and refuse the same values
// with the same messages.
package settings
