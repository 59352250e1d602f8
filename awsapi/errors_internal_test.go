package awsapi

import (
	"errors"
	"fmt"
	"testing"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sigv4"
)

// TestExceptionIsTheOneSeam: every error the server writes — an operation's
// fault, an authentication failure, a refusal of the request itself — gets
// its shape and status from exception, with the status the wire had before
// the table was the one place.
func TestExceptionIsTheOneSeam(t *testing.T) {
	t.Parallel()
	connectModel, qModel := apimodel.Connect(), apimodel.QConnect()
	send := connectModel.Ops["StartOutboundEmailContact"]
	tests := []struct {
		name       string
		got        *apiError
		shape, msg string
		status     int
	}{
		{"no credentials", authError(&sigv4.Error{Code: sigv4.CodeMissingAuthenticationToken, Message: "m"}), sigv4.CodeMissingAuthenticationToken, "m", 403},
		{"incomplete signature", authError(&sigv4.Error{Code: sigv4.CodeIncompleteSignature, Message: "m"}), sigv4.CodeIncompleteSignature, "m", 400},
		{"unknown key", authError(&sigv4.Error{Code: sigv4.CodeUnrecognizedClient, Message: "m"}), sigv4.CodeUnrecognizedClient, "m", 403},
		{"bad signature", authError(sigv4.MismatchError()), sigv4.CodeInvalidSignature, sigv4.MismatchError().Message, 403},
		{"wrapped sigv4 error", authError(fmt.Errorf("check: %w", &sigv4.Error{Code: sigv4.CodeUnrecognizedClient, Message: "m"})), sigv4.CodeUnrecognizedClient, "m", 403},
		{"other auth error", authError(errors.New("odd")), sigv4.CodeInvalidSignature, "odd", 403},
		{"unknown service", refuse(nil, "UnknownServiceException", "m"), "UnknownServiceException", "m", 400},
		{"unknown operation", refuse(connectModel, "UnknownOperationException", "m"), "UnknownOperationException", "m", 404},
		{"not implemented", refuse(connectModel, "NotImplementedException", "m"), "NotImplementedException", "m", 501},
		{"form body", refuse(connectModel, "UnsupportedMediaTypeException", "m"), "UnsupportedMediaTypeException", "m", 415},
		{"file method", refuse(connectModel, "MethodNotAllowedException", "m"), "MethodNotAllowedException", "m", 405},
		{"body too large", bodyError(errBodyTooLarge, connectModel, 10), "RequestEntityTooLargeException", "Request body is larger than 10 bytes", 413},
		{"body late", bodyError(errBodyTimeout, connectModel, 10), "RequestTimeoutException", "The request body did not arrive within the time allowed", 408},
		{"body unreadable", bodyError(errors.New("reset"), qModel, 10), "SerializationException", "could not read the request body", 400},
		{"bodies busy, Connect", bodyError(errBodyBusy, connectModel, 10), "ThrottlingException", "Too many request bodies are being received at once; retry later", connectModel.Shapes["ThrottlingException"].HTTPStatus},
		{"bodies busy, Q in Connect", bodyError(errBodyBusy, qModel, 10), "ThrottlingException", "Too many request bodies are being received at once; retry later", qModel.Shapes["ThrottlingException"].HTTPStatus},
		{"host, no operation", exception(nil, false, nil, fault.New(fault.AccessDenied, "m")), "AccessDeniedException", "m", 403},
		{"host, no operation, Q in Connect", exception(nil, true, nil, fault.New(fault.AccessDenied, "m")), "AccessDeniedException", "m", 403},
		{"not found, modeled", exception(connectModel, false, send, fault.NotFoundf("Contact", "m")), "ResourceNotFoundException", "m", 404},
		{"a bare store kind no service worded", exception(connectModel, false, send, &fault.Error{Kind: fault.NotFound, Resource: "Contact"}), "ResourceNotFoundException", "The Contact was not found.", 404},
		{"unknown error", exception(connectModel, false, send, errors.New("secret detail")), "InternalServiceException", "An internal error occurred.", 500},
		{"unknown error, Q in Connect", exception(qModel, true, nil, errors.New("secret detail")), "InternalServerException", "An internal error occurred.", 500},
	}
	for _, tc := range tests {
		if tc.got.shape != tc.shape || tc.got.status != tc.status || tc.got.msg != tc.msg {
			t.Errorf("%s: %s %d %q, want %s %d %q", tc.name, tc.got.shape, tc.got.status, tc.got.msg, tc.shape, tc.status, tc.msg)
		}
	}
}

// TestEveryCandidateHasAStatus: no exception a kind can map to falls back
// to the default status for want of an entry in statuses or a model.
func TestEveryCandidateHasAStatus(t *testing.T) {
	t.Parallel()
	models := map[bool]*apimodel.Service{false: apimodel.Connect(), true: apimodel.QConnect()}
	for lower, kinds := range candidates {
		for kind, list := range kinds {
			for _, shape := range list {
				_, listed := statuses[shape]
				sh, modeled := models[lower].Shapes[shape]
				if !listed && !(modeled && sh.HTTPStatus != 0) {
					t.Errorf("%v candidate %s (lower %v) has no status", kind, shape, lower)
				}
			}
		}
	}
}
