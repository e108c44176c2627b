package lint

import (
	"context"
	"errors"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	lintpkg "github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/send"
)

// sendLinted posts what was linted (the --request as captured, or a token
// request for the token) and compares the answer with the prediction.
func sendLinted(opts *LintOptions, prof profile.Profile, in lintpkg.Input, rep *lintpkg.Report) (*send.Exchange, error) {
	var out send.Request
	if in.Request != nil {
		out = send.FromParsed(in.Request, opts.TokenURL)
	} else {
		target := opts.TokenURL
		if target == "" {
			target = prof.TokenURL
		}
		tr, err := assertion.NewTokenRequest(target, in.Token)
		if err != nil {
			return nil, cmdutil.Errorf("%s", cmdutil.Normalize(err.Error())).WithHint("pass --token-url")
		}
		out = send.Request{Method: tr.Method, URL: tr.URL, Headers: tr.Headers, Body: tr.Body}
	}
	if out.URL == "" {
		return nil, cmdutil.Errorf("nowhere to send the request: it has no URL and the %s profile has none", prof.Name).
			WithHint("pass --token-url")
	}
	ex, err := send.Run(context.Background(), out, prof, rep.Predicted, send.Options{})
	if err != nil {
		var se *send.Error
		if errors.As(err, &se) {
			e := cmdutil.Errorf("%s", cmdutil.Normalize(se.Msg))
			if se.Hint != "" {
				e = e.WithHint("%s", se.Hint)
			}
			return nil, e
		}
		return nil, err
	}
	return ex, nil
}
