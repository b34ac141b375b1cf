package storeapi

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// customerEmail reads the {email} path segment as a customer identity.
// The mux unescapes the segment once (%2B, %25, %23 are "+", "%", "#"; a
// raw "+" stays a plus, never a space); behind the HTTP API the function
// escapes the decoded path first (EscapeDecodedPath).
func customerEmail(r *http.Request) (string, error) {
	email, err := closeloop.NormalizeEmail(r.PathValue("email"))
	if err != nil {
		return "", &closeloop.Error{Code: closeloop.EINVALID, Message: "the path names no customer",
			Fields: map[string]string{"email": "must be an email address"}}
	}
	return email, nil
}

func (a *API) getPoints(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	email, err := customerEmail(r)
	if err != nil {
		return err
	}
	points, err := a.Points.Points(r.Context(), key.StoreID, email)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, points)
	return nil
}
