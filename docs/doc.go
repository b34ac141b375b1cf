// Package docs holds the store API's reference, openapi.yaml (OpenAPI 3.1),
// and the tests that keep it true to internal/storeapi/routes.go: every
// route described with its roles, every example valid against its schema.
package docs
