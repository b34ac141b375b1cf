package closeloop

import "time"

// Message is an email to send.
type Message struct {
	From    string // "Name <address>" or an address
	To      string
	ReplyTo []string
	Subject string
	HTML    string
	Text    string
	Headers []Header
}

// Header is an extra email header, such as List-Unsubscribe.
type Header struct {
	Name  string
	Value string
}

// Lease is a dispatcher's exclusive hold on a survey it is sending, until
// Until. Holder is the storage's opaque mark of this particular hold.
type Lease struct {
	SurveyID string
	Until    time.Time
	Holder   string
}
