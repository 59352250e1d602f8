package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/operations.md")

const root = "../../.."

// TestTableIsCurrent fails when a file carrying the operations table
// between the markers differs from the router. README.md may instead carry
// a pointer to docs/operations.md between its markers.
func TestTableIsCurrent(t *testing.T) {
	if *update {
		if err := os.WriteFile(filepath.Join(root, docFile), []byte(document()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := table()
	tables := 0
	for _, name := range []string{docFile, "README.md"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got, ok := block(string(b))
		if !ok {
			continue
		}
		if !strings.Contains(got, "\n|") {
			if !strings.Contains(got, docFile) {
				t.Errorf("%s: the block between %s and %s has neither the table nor a link to %s", name, beginMarker, endMarker, docFile)
			}
			continue
		}
		tables++
		if got != want {
			t.Errorf("%s is stale; run `go run ./apimodel/internal/opstable` (or go test ./apimodel/internal/opstable -update):\n got:\n%s\nwant:\n%s", name, got, want)
		}
	}
	if tables == 0 {
		t.Errorf("no file carries the operations table between %s and %s; run `go run ./apimodel/internal/opstable`", beginMarker, endMarker)
	}
	if b, err := os.ReadFile(filepath.Join(root, docFile)); err == nil && string(b) != document() {
		t.Errorf("%s differs from what the generator writes; run `go run ./apimodel/internal/opstable`", docFile)
	}
}

// TestTable checks the table against the router on a few rows that must be
// there and one that must not.
func TestTable(t *testing.T) {
	tab := table()
	for _, row := range []string{
		"| connect | StartOutboundEmailContact | `PUT /contact/outbound-email` | 200 |  |",
		"| connect | ListInstances | `GET /instance` | 200 | yes |",
		"| connect | GetAttachedFile | `GET /attached-files/{InstanceId}/{FileId}` | 200 |  |",
		"| qconnect | DeleteKnowledgeBase | `DELETE /knowledgeBases/{knowledgeBaseId}` | 204 |  |",
	} {
		if !strings.Contains(tab, row+"\n") {
			t.Errorf("table lacks %q", row)
		}
	}
	if strings.Contains(tab, "| CreateQueue |") {
		t.Error("an unsupported operation is listed")
	}
	if !strings.HasPrefix(tab, beginMarker+"\n") || !strings.HasSuffix(tab, endMarker+"\n") {
		t.Error("the table is not between the markers")
	}
}
