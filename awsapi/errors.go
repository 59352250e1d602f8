package awsapi

import (
	"errors"
	"net/http"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/fault"
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

// fallbackStatus gives the status of shapes that an operation does not model.
var fallbackStatus = map[string]int{
	"InvalidRequestException": 400, "InvalidParameterException": 400, "ValidationException": 400,
	"ResourceNotFoundException": 404, "DuplicateResourceException": 409, "ResourceConflictException": 409,
	"ConflictException": 409, "IdempotencyException": 409, "ResourceInUseException": 409,
	"ServiceQuotaExceededException": 402, "LimitExceededException": 429, "AccessDeniedException": 403,
	"ThrottlingException": 429, "TooManyRequestsException": 429, "ContactNotFoundException": 410,
	"InternalServiceException": 500, "InternalServerException": 500,
}

// mapError turns any error into the operation's modeled exception.
func (s *Server) mapError(svc *Service, op *apimodel.Operation, err error) *apiError {
	var fe *fault.Error
	kind := fault.Internal
	msg := "An internal error occurred."
	if asFault(err, &fe) {
		kind = fe.Kind
		if kind != fault.Internal {
			msg = fe.Message
		}
	}
	list := candidates[svc.LowerMessage][kind]
	shape := list[len(list)-1]
	for _, c := range list {
		if modeled(op, c) {
			shape = c
			break
		}
	}
	e := &apiError{shape: shape, msg: msg}
	if sh, ok := svc.Model.Shapes[shape]; ok && sh.HTTPStatus != 0 {
		e.status = sh.HTTPStatus
	} else if st, ok := fallbackStatus[shape]; ok {
		e.status = st
	} else {
		e.status = http.StatusBadRequest
	}
	if fe != nil {
		if svc.LowerMessage && (kind == fault.NotFound || shape == "TooManyTagsException") && fe.Resource != "" {
			e.extra = map[string]any{"resourceName": fe.Resource}
		}
		if fe.Reason != nil && !svc.LowerMessage {
			e.extra = map[string]any{"Reason": fe.Reason}
		}
	}
	return e
}

func modeled(op *apimodel.Operation, shape string) bool {
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
