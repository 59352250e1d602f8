package server

import (
	"log/slog"
	"net/url"
	"sort"
	"strings"
)

// readyAttrs are the attributes of the start-up log line: every listener
// (HTTP; inbound SMTP and whether it offers STARTTLS), the store, the relay
// with how its certificate is checked (or capture mode) and the DKIM
// domains — without any secret.
func (s *Server) readyAttrs() []any {
	a := []any{"http", "http://" + s.listener.Addr().String()}
	if s.smtpIn != nil {
		a = append(a, "smtp", s.smtpIn.Addr(), "smtp_starttls", s.cfg.SMTPTLSCert != "")
	} else {
		a = append(a, "smtp", "off")
	}
	a = append(a, "db", redactDSN(s.cfg.DB))
	a = append(a, relayAttrs(s.cfg)...)
	dkim := make([]string, 0, len(s.cfg.DKIM))
	for _, d := range s.cfg.DKIM {
		dkim = append(dkim, strings.ToLower(d.Domain)+" ("+d.Selector+")")
	}
	sort.Strings(dkim)
	if len(dkim) == 0 {
		dkim = append(dkim, "none")
	}
	return append(a, "dkim", strings.Join(dkim, ", "), "webhooks", len(s.cfg.Webhooks), "account", s.cfg.AccountID)
}

// logStopped writes the last line a server logs.
func logStopped(log *slog.Logger, err error) {
	if err != nil {
		log.Error("stopped", "err", err)
		return
	}
	log.Info("stopped")
}

// redactDSN returns a database DSN fit for logs: a postgres:// URL's
// password (in the user info or a password parameter) is masked; a sqlite:
// path is shown as it is.
func redactDSN(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	return redactURL(dsn)
}

// redactURL masks the password of a URL's user info and of any query
// parameter named password; what cannot be parsed is not shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
