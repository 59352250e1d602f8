package sqlstore

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// JSON encodes v for a nullable JSON column: NULL for nil pointers and nil
// or empty maps and slices; raw JSON is kept as written.
func JSON(v any) any {
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 {
			return nil
		}
		return string(raw)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if rv.IsNil() || rv.Kind() != reflect.Pointer && rv.Len() == 0 {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

// JSONList encodes a list for a NOT NULL JSON column ([] when empty).
func JSONList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TimeCol scans a time column in either representation (integer
// milliseconds, 0 for the zero time; a timestamp, NULL for the zero time)
// into *T, in UTC.
type TimeCol struct{ T *time.Time }

// Scan implements sql.Scanner.
func (c TimeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.T = time.Time{}
	case int64:
		if x == 0 {
			*c.T = time.Time{}
		} else {
			*c.T = time.UnixMilli(x).UTC()
		}
	case time.Time:
		if x.IsZero() {
			*c.T = time.Time{}
		} else {
			*c.T = x.UTC()
		}
	default:
		return fmt.Errorf("sqlstore: cannot read a time from %T", v)
	}
	return nil
}

// JSONCol scans a nullable JSON column into V (a pointer), leaving it
// untouched for NULL or unparsable content.
type JSONCol struct{ V any }

// Scan implements sql.Scanner.
func (c JSONCol) Scan(v any) error {
	b := text(v)
	if len(b) > 0 {
		_ = json.Unmarshal(b, c.V)
	}
	return nil
}

// RawCol scans a nullable JSON column as written into *R (nil for NULL or
// empty).
type RawCol struct{ R *json.RawMessage }

// Scan implements sql.Scanner.
func (c RawCol) Scan(v any) error {
	b := text(v)
	if len(b) == 0 {
		*c.R = nil
	} else {
		*c.R = json.RawMessage(append([]byte(nil), b...))
	}
	return nil
}

func text(v any) []byte {
	switch x := v.(type) {
	case string:
		return []byte(x)
	case []byte:
		return x
	}
	return nil
}
