// Package awsapi serves the AWS restJson1 wire protocol for Amazon Connect
// (signing name connect) and Amazon Q in Connect (signing name wisdom) on one
// listener: SigV4 verification, routing from the generated model tables,
// input validation against the model, dispatch to the domain services, and
// the one table that maps failure kinds to each service's exception shapes.
package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/google/uuid"
)

// MaxBodyBytes is the largest request body accepted. A RAW message body may be
// 5,242,880 characters, which JSON escaping can grow; 16 MiB leaves room.
const MaxBodyBytes = 16 << 20

// Authorizer reports whether an access key may perform "service:Operation".
type Authorizer interface {
	Allowed(accessKeyID, action string) bool
}

// Call is one decoded API call handed to a handler.
type Call struct {
	Op     *apimodel.Operation
	Labels map[string]string
	Query  map[string][]string
	Body   []byte
	// Doc is the bound and validated input document; handlers decode it
	// (see handle) rather than parsing Body again.
	Doc map[string]any
}

// Handler serves one operation; a nil output with a nil error writes an empty object.
type Handler func(ctx context.Context, c *Call) (any, error)

// Service is one AWS service served by the Server.
type Service struct {
	Model    *apimodel.Service
	Handlers map[string]Handler
	// LowerMessage selects {"message":…} error bodies (qconnect) over {"Message":…} (Connect).
	LowerMessage bool
}

// Config configures a Server.
type Config struct {
	Verifier *sigv4.Verifier
	Auth     Authorizer
	// Services by SigV4 signing name.
	Services map[string]*Service
	Logger   *slog.Logger
	// Observe is called after each call with the service's signing name,
	// the operation name, status and duration. Both names are ones the
	// server serves, or "unknown": never a client's unverified text.
	Observe func(service, op string, status int, d time.Duration)
	// Bodies bounds the bodies read before their signature is verified
	// (a default budget of its own when nil).
	Bodies *BodyBudget
}

// Server is the http.Handler for the AWS APIs.
type Server struct {
	cfg Config
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string, string, int, time.Duration) {}
	}
	if cfg.Bodies == nil {
		cfg.Bodies = &BodyBudget{}
	}
	return &Server{cfg: cfg}
}

// apiError is an error response about to be written.
type apiError struct {
	status int
	shape  string
	msg    string
	extra  map[string]any
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", reqID)
	_, region, svcName, _ := sigv4.Scope(r)
	svc := s.cfg.Services[svcName]
	lower := svc != nil && svc.LowerMessage
	// Metrics are labelled with names the server knows, never with the
	// unverified scope: forged requests must not create series.
	label := "unknown"
	if svc != nil {
		label = svcName
	}
	opName := "unknown"
	status := http.StatusOK
	defer func() { s.cfg.Observe(label, opName, status, time.Since(start)) }()
	fail := func(e *apiError) {
		status = e.status
		writeError(w, e, lower)
	}

	// Everything the headers settle is settled before the body is read.
	pending, err := s.cfg.Verifier.Check(r)
	if err != nil {
		fail(authError(err))
		return
	}
	if svc == nil {
		fail(refuse(nil, "UnknownServiceException", "connectmail does not serve the service "+strconv.Quote(svcName)+"; it serves connect and wisdom (qconnect)"))
		return
	}
	if pending.Presigned() && r.Method == http.MethodPost && corsSafelisted(r.Header.Get("Content-Type")) {
		// A page on any site can make a browser send this form (a presigned
		// URL, a form or text/plain body) without a CORS preflight. The SDKs
		// sign headers and send application/json.
		fail(refuse(svc.Model, "UnsupportedMediaTypeException",
			"A presigned POST must carry a JSON Content-Type such as application/json; form and text/plain bodies are refused"))
		return
	}
	body, held, err := s.cfg.Bodies.read(w, r, MaxBodyBytes)
	if err != nil {
		fail(bodyError(err, svc.Model, MaxBodyBytes))
		return
	}
	id, err := pending.Verify(body)
	s.cfg.Bodies.release(held)
	if err != nil {
		fail(authError(err))
		return
	}
	op, labels, ok := svc.Model.Match(r.Method, r.URL.EscapedPath())
	if !ok {
		fail(refuse(svc.Model, "UnknownOperationException", "No "+svcName+" operation matches "+r.Method+" "+r.URL.Path))
		return
	}
	opName = op.Name
	h := svc.Handlers[op.Name]
	if !op.Supported || h == nil {
		fail(refuse(svc.Model, "NotImplementedException", "connectmail does not implement the "+svcName+" operation "+op.Name))
		return
	}
	if s.cfg.Auth != nil && !s.cfg.Auth.Allowed(id.AccessKeyID, svcName+":"+op.Name) {
		fail(s.mapError(svc, op, fault.New(fault.AccessDenied, "User: %s is not authorized to perform: %s:%s", id.AccessKeyID, svcName, op.Name)))
		return
	}
	doc, err := svc.Model.Bind(op, labels, r.URL.Query(), r.Header, body)
	if err == nil {
		err = svc.Model.Validate(op.Input, doc)
	}
	if err != nil {
		fail(s.mapError(svc, op, fault.New(fault.Invalid, "%s", err.Error())))
		return
	}
	ctx := connect.WithCaller(r.Context(), connect.Caller{Region: region, AccessKeyID: id.AccessKeyID, Endpoint: Endpoint(r)})
	out, err := h(ctx, &Call{Op: op, Labels: labels, Query: r.URL.Query(), Body: body, Doc: doc})
	if err != nil {
		e := s.mapError(svc, op, err)
		if e.status >= 500 {
			s.cfg.Logger.Error("internal error", "op", op.Name, "requestId", reqID, "err", err)
		}
		fail(e)
		return
	}
	status = op.SuccessCode
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	var b []byte
	if out == nil {
		b = []byte("{}")
	} else if b, err = json.Marshal(out); err != nil {
		fail(s.mapError(svc, op, fault.Wrap(err, "encoding the response failed")))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// authError is the exception of a request that fails authentication: a
// *sigv4.Error's own, InvalidSignatureException for any other error.
func authError(err error) *apiError {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		err = &sigv4.Error{Code: sigv4.CodeInvalidSignature, Message: err.Error()}
	}
	return exception(nil, false, nil, err)
}

func writeError(w http.ResponseWriter, e *apiError, lower bool) {
	body := map[string]any{}
	for k, v := range e.extra {
		body[k] = v
	}
	if lower {
		body["message"] = e.msg
	} else {
		body["Message"] = e.msg
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", e.shape)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
