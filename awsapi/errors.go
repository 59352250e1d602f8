package awsapi

import (
	"errors"
	"net/http"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sigv4"
)

// candidates lists, per service flavour and failure kind, the exception shapes
// to use in order of preference; the first one the operation models wins, and
// the last one is used when the operation models none of them.
var candidates = map[bool]map[fault.Kind][]string{
	// Connect
	false: {
		fault.Invalid:          {"InvalidRequestException", "InvalidParameterException"},
		fault.InvalidParameter: {"InvalidParameterException", "InvalidRequestException"},
		fault.NotFound:         {"ResourceNotFoundException"},
		fault.Duplicate:        {"DuplicateResourceException", "ResourceConflictException", "ConflictException", "InvalidRequestException"},
		fault.Idempotency:      {"IdempotencyException", "ConflictException", "InvalidRequestException"},
		fault.Conflict:         {"ConflictException", "ResourceConflictException", "ResourceInUseException", "InvalidRequestException"},
		fault.ResourceConflict: {"ResourceConflictException", "ResourceInUseException", "ConflictException", "InvalidRequestException"},
		fault.Quota:            {"ServiceQuotaExceededException", "LimitExceededException"},
		fault.AccessDenied:     {"AccessDeniedException"},
		fault.Throttled:        {"ThrottlingException", "TooManyRequestsException", "LimitExceededException"},
		fault.Gone:             {"ContactNotFoundException", "ResourceNotFoundException"},
		fault.Internal:         {"InternalServiceException"},
	},
	// Q in Connect
	true: {
		fault.Invalid:          {"ValidationException"},
		fault.InvalidParameter: {"ValidationException"},
		fault.NotFound:         {"ResourceNotFoundException"},
		fault.Duplicate:        {"ConflictException"},
		fault.Idempotency:      {"ConflictException"},
		fault.Conflict:         {"ConflictException"},
		fault.ResourceConflict: {"ConflictException"},
		fault.Quota:            {"ServiceQuotaExceededException", "TooManyTagsException", "ServiceQuotaExceededException"},
		fault.AccessDenied:     {"AccessDeniedException"},
		fault.Throttled:        {"ThrottlingException"},
		fault.Gone:             {"ResourceNotFoundException"},
		fault.Internal:         {"InternalServerException"},
	},
}

// statuses gives the HTTP status of every exception shape the server writes
// that a service model does not give one: shapes an operation does not
// model, and the protocol's own (authentication, unknown service or
// operation, unreadable body), which no model lists.
var statuses = map[string]int{
	"InvalidRequestException": 400, "InvalidParameterException": 400, "ValidationException": 400,
	"ResourceNotFoundException": 404, "DuplicateResourceException": 409, "ResourceConflictException": 409,
	"ConflictException": 409, "IdempotencyException": 409, "ResourceInUseException": 409,
	"ServiceQuotaExceededException": 402, "LimitExceededException": 429, "AccessDeniedException": 403,
	"ThrottlingException": 429, "TooManyRequestsException": 429, "ContactNotFoundException": 410,
	"InternalServiceException": 500, "InternalServerException": 500, "ServiceUnavailableException": 503,
	// Signature Version 4 (sigv4.Error codes).
	sigv4.CodeMissingAuthenticationToken: 403, sigv4.CodeIncompleteSignature: 400,
	sigv4.CodeUnrecognizedClient: 403, sigv4.CodeInvalidSignature: 403,
	// Refusals of the request itself (refusal).
	"UnknownServiceException": 400, "UnknownOperationException": 404, "NotImplementedException": 501,
	"UnsupportedMediaTypeException": 415, "MethodNotAllowedException": 405,
	"RequestEntityTooLargeException": 413, "RequestTimeoutException": 408, "SerializationException": 400,
}

// refusal is a failure of the request itself rather than of an operation —
// an unknown service or operation, a body that cannot be read, an
// unsupported media type — whose exception shape the protocol fixes.
type refusal struct {
	shape string
	msg   string
}

func (r *refusal) Error() string { return r.shape + ": " + r.msg }

// refuse is the exception of a refusal; model, when known, may give the
// shape's status.
func refuse(model *apimodel.Service, shape, msg string) *apiError {
	return exception(model, false, nil, &refusal{shape: shape, msg: msg})
}

// mapError turns any error into the operation's modeled exception.
func (s *Server) mapError(svc *Service, op *apimodel.Operation, err error) *apiError {
	return exception(svc.Model, svc.LowerMessage, op, err)
}

// exception turns any error into the exception written to the wire; every
// error response goes through it. A *fault.Error's Kind picks the first of
// its candidates that op models (the last when op models none, the first
// when no operation is known); a *sigv4.Error's Code and a *refusal's shape
// are the shape; any other error is an internal error. The status is the
// one model gives the shape, else the one statuses gives. lower selects the
// Q in Connect candidates.
func exception(model *apimodel.Service, lower bool, op *apimodel.Operation, err error) *apiError {
	var (
		fe *fault.Error
		se *sigv4.Error
		re *refusal
	)
	e := &apiError{}
	switch {
	case errors.As(err, &se):
		e.shape, e.msg = se.Code, se.Message
	case errors.As(err, &re):
		e.shape, e.msg = re.shape, re.msg
	default:
		kind := fault.Internal
		e.msg = "An internal error occurred."
		if asFault(err, &fe) {
			kind = fe.Kind
			if kind != fault.Internal {
				e.msg = fe.Message
				if e.msg == "" {
					// A store's bare kind that no service worded: never an empty message.
					e.msg = unworded(fe)
				}
			}
		}
		list := candidates[lower][kind]
		e.shape = list[len(list)-1]
		if op == nil {
			e.shape = list[0]
		}
		for _, c := range list {
			if modeled(op, c) {
				e.shape = c
				break
			}
		}
		if fe != nil {
			if lower && (kind == fault.NotFound || e.shape == "TooManyTagsException") && fe.Resource != "" {
				e.extra = map[string]any{"resourceName": fe.Resource}
			}
			if fe.Reason != nil && !lower {
				e.extra = map[string]any{"Reason": fe.Reason}
			}
		}
	}
	e.status = http.StatusBadRequest
	if st, ok := statuses[e.shape]; ok {
		e.status = st
	}
	if model != nil {
		if sh, ok := model.Shapes[e.shape]; ok && sh.HTTPStatus != 0 {
			e.status = sh.HTTPStatus
		}
	}
	return e
}

// unworded is the message of a fault error that reached the wire without
// one (the services word every store error; this is the safety net).
func unworded(fe *fault.Error) string {
	what := "The resource"
	if fe.Resource != "" {
		what = "The " + fe.Resource
	}
	switch fe.Kind {
	case fault.NotFound, fault.Gone:
		return what + " was not found."
	case fault.Duplicate, fault.ResourceConflict:
		return what + " already exists or is in use."
	case fault.Conflict:
		return what + " is not in a state that allows this request."
	case fault.Idempotency:
		return "The ClientToken was already used with different request parameters."
	case fault.Quota:
		return "A service quota would be exceeded."
	default:
		return "The request is not valid."
	}
}

func modeled(op *apimodel.Operation, shape string) bool {
	if op == nil {
		return false
	}
	for _, e := range op.Errors {
		if e == shape {
			return true
		}
	}
	return false
}

func asFault(err error, target **fault.Error) bool {
	return errors.As(err, target)
}
