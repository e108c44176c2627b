package request

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/send"
)

// sendRequest posts the token request and prints the answer next to lint's
// prediction for it; a disagreement exits 1 with the whole exchange.
func sendRequest(opts *RequestOptions, prof profile.Profile, tr *assertion.TokenRequest, now time.Time) error {
	parsed, err := request.Parse([]byte(tr.HTTP()))
	if err != nil {
		return cmdutil.Errorf("%s", cmdutil.Normalize(err.Error()))
	}
	// No key set: the signing key says nothing about which keys the server
	// holds under which kid, so the key lookup and signature stay unchecked
	// and the prediction says so.
	rep := lint.Lint(lint.Input{Request: parsed, Profile: prof, ClientID: opts.ClientID, Now: now})
	out := send.Request{Method: tr.Method, URL: tr.URL, Headers: tr.Headers, Body: tr.Body}
	ex, err := send.Run(context.Background(), out, prof, rep.Predicted, send.Options{})
	if err != nil {
		return SendError(err)
	}
	cs := opts.IO.ColorScheme()
	send.Print(opts.IO.Out, ex, cs.Bold, cs.Green, cs.Red)
	if !ex.Agree {
		fmt.Fprintln(opts.IO.ErrOut, "clientassert: the server's answer differs from the prediction")
		return cmdutil.ErrSilentFindings
	}
	return nil
}

// SendError turns a send failure into the house error.
func SendError(err error) error {
	var se *send.Error
	if errors.As(err, &se) {
		e := cmdutil.Errorf("%s", cmdutil.Normalize(se.Msg))
		if se.Hint != "" {
			e = e.WithHint("%s", se.Hint)
		}
		return e
	}
	return cmdutil.Errorf("%s", cmdutil.Normalize(err.Error()))
}
