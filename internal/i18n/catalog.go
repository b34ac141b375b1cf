package i18n

// catalog holds every customer-facing text by language and key. A test
// fails when one language lacks a key another has, or a template uses a key
// no language has.
var catalog = map[string]map[string]string{
	"en": {
		"points.forms": "point|points",

		"score.1": "Very dissatisfied",
		"score.2": "Dissatisfied",
		"score.3": "Neutral",
		"score.4": "Satisfied",
		"score.5": "Very satisfied",

		"email.subject":       "How was your order from %s?",
		"email.greeting":      "Hi %s,",
		"email.greeting_anon": "Hi,",
		"email.intro":         "Thank you for your order %s from %s. How satisfied are you with it?",
		"email.tap":           "Tap a rating. You can add a comment on the next page.",
		"email.promise":       "Answering earns you %s.",
		"email.promise_bonus": "Answering earns you %s, or %s with a comment.",
		"email.why":           "You receive this email because you bought from %s.",
		"email.privacy":       "Privacy policy",
		"email.unsubscribe":   "Unsubscribe from feedback emails",

		"page.title":            "Your feedback for %s",
		"page.heading":          "How satisfied are you with your order?",
		"page.order":            "Order %s",
		"page.score_legend":     "Your rating (required)",
		"page.hint":             "Choosing a rating does not send it yet. Press “Send my feedback” when you are ready.",
		"page.nps_legend":       "How likely are you to recommend %s to a friend? (optional)",
		"page.nps_low":          "0 = not at all likely",
		"page.nps_high":         "10 = extremely likely",
		"page.comment_label":    "Anything you would like to tell us? (optional)",
		"page.comment_bonus":    "Write at least %d characters to earn %s more.",
		"page.contact_label":    "Please contact me about my order",
		"page.submit":           "Send my feedback",
		"page.promise":          "Answering earns you %s.",
		"page.promise_bonus":    "Answering earns you %s, or %s with a comment.",
		"page.error_heading":    "Please check your answer",
		"page.error.score":      "Please choose a rating from 1 to 5.",
		"page.error.nps":        "Please choose a number from 0 to 10, or none.",
		"page.error.comment":    "Please keep your comment under 2000 characters.",
		"page.privacy":          "Privacy policy",
		"thanks.title":          "Thank you!",
		"thanks.points":         "You earned %s!",
		"thanks.points_note":    "They are added to your loyalty balance at %s.",
		"thanks.received":       "We received your feedback. Thank you for taking the time.",
		"thanks.contact":        "We will get in touch with you soon.",
		"closed.title":          "This survey has closed",
		"closed.body":           "This survey is no longer open. Thank you for your interest.",
		"unsubscribe.title":     "Unsubscribe",
		"unsubscribe.body":      "Stop receiving feedback emails from %s at %s?",
		"unsubscribe.button":    "Unsubscribe",
		"unsubscribe.done":      "You are unsubscribed",
		"unsubscribe.done_body": "%s will not send you feedback emails any more.",
	},
}
