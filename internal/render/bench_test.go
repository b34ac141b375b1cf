package render

import (
	"io"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func BenchmarkRenderSurveyPage(b *testing.B) {
	r, err := New()
	if err != nil {
		b.Fatal(err)
	}
	page := SurveyPage(testSurvey("en"), "/s/x", closeloop.Answer{}, 4, nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WritePage(io.Discard, PageSurvey, page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderSurveyEmail(b *testing.B) {
	r, err := New()
	if err != nil {
		b.Fatal(err)
	}
	s := testSurvey("ru")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderSurveyEmail(NewSurveyEmail(s, s.Brand, "en", "https://f.test/s/x", "https://f.test/u/y")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderAcknowledgement(b *testing.B) {
	r, err := New()
	if err != nil {
		b.Fatal(err)
	}
	e := NewAcknowledgement(testCase("ru"), testBrand)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderEmail(e); err != nil {
			b.Fatal(err)
		}
	}
}
