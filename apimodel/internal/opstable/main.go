// Command opstable writes the table of the AWS operations connectmail
// serves, docs/operations.md, from the router: an operation is listed when
// apimodel marks it supported and the API layer has a handler for it.
//
//	go run ./apimodel/internal/opstable            rewrite docs/operations.md
//	go run ./apimodel/internal/opstable -stdout    print the table only
//
// The table sits between the markers <!-- ops:begin --> and <!-- ops:end -->;
// the package's test fails when any file that carries a table between those
// markers (docs/operations.md, README.md) differs from what this command writes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/template"
)

// The markers around the generated table.
const (
	beginMarker = "<!-- ops:begin -->"
	endMarker   = "<!-- ops:end -->"
)

// docFile is the file the command writes, relative to the module root.
const docFile = "docs/operations.md"

func main() {
	root := flag.String("root", ".", "the module root")
	stdout := flag.Bool("stdout", false, "print the table instead of writing "+docFile)
	flag.Parse()
	if *stdout {
		fmt.Print(table())
		return
	}
	if err := os.WriteFile(filepath.Join(*root, docFile), []byte(document()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "opstable:", err)
		os.Exit(1)
	}
}

// services are the API services as the server assembles them, in table order.
func services() []struct {
	name string
	svc  *awsapi.Service
} {
	return []struct {
		name string
		svc  *awsapi.Service
	}{
		{"connect", awsapi.ConnectService(connect.NewService(connect.Config{}))},
		{"qconnect", awsapi.QConnectService(template.NewService(template.Config{}), nil)},
	}
}

// table renders the marked block: the markers and the table between them.
func table() string {
	var b strings.Builder
	b.WriteString(beginMarker + "\n")
	b.WriteString("| Service | Operation | Request | Success | Pages |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, s := range services() {
		m := s.svc.Model
		for _, op := range m.Operations() {
			if !op.Supported || s.svc.Handlers[op.Name] == nil {
				continue
			}
			pages := ""
			if op.Paginator != nil {
				pages = "yes"
			}
			code := op.SuccessCode
			if code == 0 {
				code = 200
			}
			fmt.Fprintf(&b, "| %s | %s | `%s %s` | %d | %s |\n", s.name, op.Name, op.Method, op.RequestURI, code, pages)
		}
	}
	b.WriteString(endMarker + "\n")
	return b.String()
}

// unimplemented lists the supported operations without a handler, which the
// server answers with 501 NotImplementedException.
func unimplemented() []string {
	var out []string
	for _, s := range services() {
		for _, op := range s.svc.Model.Operations() {
			if op.Supported && s.svc.Handlers[op.Name] == nil {
				out = append(out, s.name+" "+op.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// document is the whole of docs/operations.md.
func document() string {
	var b bytes.Buffer
	b.WriteString("# Supported operations\n\n")
	b.WriteString("The AWS operations connectmail serves, generated from its router by\n")
	b.WriteString("`go run ./apimodel/internal/opstable` (a test fails when this file is stale).\n")
	b.WriteString("Both services share one listener; the SigV4 credential scope (`connect` or\n")
	b.WriteString("`wisdom`) selects the service. Any other operation of either model answers\n")
	b.WriteString("HTTP 501 with `NotImplementedException` naming it.\n\n")
	b.WriteString(table())
	if u := unimplemented(); len(u) > 0 {
		b.WriteString("\nModeled as supported but not implemented yet: " + strings.Join(u, ", ") + ".\n")
	}
	return b.String()
}

// block returns what a file holds between the markers, markers included.
func block(text string) (string, bool) {
	i := strings.Index(text, beginMarker)
	j := strings.Index(text, endMarker)
	if i < 0 || j < i {
		return "", false
	}
	return text[i:j+len(endMarker)] + "\n", true
}
