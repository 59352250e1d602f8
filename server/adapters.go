package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/connectmail/connectmail/compose"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/relay"
)

// composer adapts compose.Build to connect.Composer.
type composer struct{}

func toAddr(e connect.Endpoint) compose.Address {
	return compose.Address{Name: e.DisplayName, Email: e.Address}
}

// Compose implements connect.Composer.
func (composer) Compose(d *connect.Draft) ([]byte, error) {
	m := &compose.Message{
		From: toAddr(d.From), Subject: d.Subject, Text: d.Text, HTML: d.HTML,
		MessageID: d.MessageID, Date: d.Date, InReplyTo: strings.Trim(d.InReplyTo, "<>"), References: d.References,
	}
	for _, e := range d.To {
		m.To = append(m.To, toAddr(e))
	}
	for _, e := range d.Cc {
		m.Cc = append(m.Cc, toAddr(e))
	}
	for _, h := range d.Headers {
		m.Headers = append(m.Headers, compose.Header{Name: h[0], Value: h[1]})
	}
	for _, a := range d.Attachments {
		m.Attachments = append(m.Attachments, compose.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	b, err := compose.Build(m)
	if err != nil {
		var fe *compose.FieldError
		if errors.As(err, &fe) {
			return nil, &fault.Error{Kind: fault.Invalid, Message: "The message cannot be sent: " + strings.TrimPrefix(err.Error(), "compose: "), Err: err}
		}
		return nil, err
	}
	return b, nil
}

// sender adapts relay.Client to delivery.Sender.
type sender struct{ c *relay.Client }

// configHint names the setting that fixes a relay configuration error,
// since the error's text is what the operator sees (logs, UI, events); ""
// for other errors.
func configHint(e *relay.Error) string {
	switch {
	case e.Class() != relay.ClassConfig:
		return ""
	case errors.Is(e, relay.ErrCertificate):
		return "trust the CA that issued it with --smtp-relay-ca FILE (a test relay only: --smtp-relay-insecure-skip-verify)"
	case e.Stage == relay.StageAuth || e.Stage == relay.StageMail:
		return "check the credentials in --smtp-relay smtp://USER:PASSWORD@HOST:PORT"
	}
	return "check --smtp-relay"
}

// Send implements delivery.Sender.
func (s sender) Send(ctx context.Context, from string, rcpts []string, msg []byte) (delivery.Receipt, error) {
	res, err := s.c.Send(ctx, from, rcpts, msg)
	if err != nil {
		// The relay's *Error is the worker's delivery.Failure and
		// delivery.Classed as it is; a hint is only added to its text.
		var re *relay.Error
		if errors.As(err, &re) {
			if hint := configHint(re); hint != "" {
				err = fmt.Errorf("%w; %s", err, hint)
			}
		}
		return delivery.Receipt{}, err
	}
	rec := delivery.Receipt{Response: res.Response}
	if len(res.Rejected) > 0 {
		rec.Rejected = make(map[string]delivery.Rejection, len(res.Rejected))
		for k, v := range res.Rejected {
			rec.Rejected[k] = delivery.Rejection{Code: v.Code, Message: v.Message}
		}
	}
	return rec, nil
}

// signer picks the DKIM key for the sender's domain.
type signer map[string]*compose.DKIMKey

func (s signer) sign(msg []byte, from string) ([]byte, error) {
	d := from
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		d = from[i+1:]
	}
	k := s[strings.ToLower(d)]
	if k == nil {
		return msg, nil
	}
	return compose.Sign(msg, k)
}
