// Package infra holds the deployment scripts and the tests that keep
// template.yaml, the Makefile's SAM build targets and the sample Lambda events
// in events/ consistent with each other. It has no code outside its tests.
package infra
