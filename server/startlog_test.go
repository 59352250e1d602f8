package server

import "testing"

// TestRedactDSN: passwords of store DSNs and relay URLs never reach a log.
func TestRedactDSN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"sqlite:connectmail.db", "sqlite:connectmail.db"},
		{"postgres://cm:s3cret@db.internal:5432/cm?sslmode=verify-full", "postgres://cm:xxxxx@db.internal:5432/cm?sslmode=verify-full"},
		{"postgres://cm@db.internal/cm?password=s3cret&sslmode=disable", "postgres://cm@db.internal/cm?password=xxxxx&sslmode=disable"},
		{"postgresql://db.internal/cm", "postgresql://db.internal/cm"},
		{"smtp://user:s3cret@relay:587", "smtp://user:xxxxx@relay:587"},
		{"postgres://cm:s3%cret@db/cm", "(unparsable URL)"},
	} {
		if got := redactDSN(tc.in); got != tc.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
