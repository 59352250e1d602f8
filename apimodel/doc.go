// Package apimodel is connectmail's machine-readable copy of the two AWS
// APIs it serves: Amazon Connect (signing name "connect") and Amazon Q in
// Connect (signing name "wisdom").
//
// For every operation of both services it knows the HTTP binding (method,
// path template, fixed query, success status), the input/output shape names
// and the modeled errors. For the operations connectmail supports it also
// carries every shape reachable from their inputs and outputs, and every
// error shape, with the constraints of the model (required members,
// length/size/value ranges, enums, patterns, unions), so that the API layer
// can route a request ([Service.Match]), build its input document
// ([Service.Bind]) and validate it ([Service.Validate]) exactly as the model
// says.
//
// The tables in zz_*.go are generated from the botocore JSON models by
// ./internal/gen, which also holds the list of supported operations and the
// table of pattern anchors (see its documentation for the pattern rules).
// The values returned by [Connect] and [QConnect] are shared and must be
// treated as read-only.
package apimodel

//go:generate go run ./internal/gen -models internal/gen/models -out .
