package awsapi

import (
	"net/http"
	"strconv"

	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/google/uuid"
)

// RefuseHost answers an AWS API or attached-file request whose Host header
// the server does not answer (DNS rebinding protection) with the 403
// AccessDeniedException both services model: {"Message": …} for Connect,
// {"message": …} for Q in Connect, told apart by the credential scope.
func RefuseHost(w http.ResponseWriter, r *http.Request) {
	_, _, service, _ := sigv4.Scope(r)
	w.Header().Set("x-amzn-RequestId", uuid.NewString())
	lower := service == "wisdom"
	writeError(w, exception(nil, lower, nil, fault.New(fault.AccessDenied, "Host %s is not one this server answers; see --allowed-hosts", strconv.Quote(r.Host))), lower)
}
