package sqlcore

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"
)

// The conversions of a read below database/sql (readConn.queryRow): the
// subset of database/sql's that the SQL stores scan and pass, with its
// results, so that a read gives the same values either way.

// driverValue returns a as a driver.Value, as database/sql's default
// converter does for an argument (a driver.Valuer's Value, NULL for a nil
// pointer, an int's int64, and so on). A *string, a read by ID's argument
// (StdDB.rowByID), is taken here without the converter's reflection.
func driverValue(a any) (driver.Value, error) {
	if s, ok := a.(*string); ok {
		if s == nil {
			return nil, nil
		}
		return *s, nil
	}
	if driver.IsValue(a) {
		return a, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// assign stores the column value src in dest, as (*sql.Rows).Scan does
// for the destinations the stores use: an sql.Scanner, *string, *[]byte,
// *int64, *int, *bool, *float64, *time.Time, *any, and a pointer to a
// *string (nil for NULL). A byte slice is copied, as database/sql copies
// it: the caller owns what it gets.
//
// The pointer types come first and sql.Scanner last: a case of a concrete
// type compares one word, while an interface case looks the type's method
// set up, on each of a row's columns (no type of these cases is a Scanner).
func assign(dest any, src driver.Value) error {
	switch d := dest.(type) {
	case *string:
		switch s := src.(type) {
		case string:
			*d = s
		case []byte:
			*d = string(s)
		case int64:
			*d = strconv.FormatInt(s, 10)
		case nil:
			return fmt.Errorf("converting NULL to string is unsupported")
		default:
			return fmt.Errorf("cannot scan %T into *string", src)
		}
	case **string:
		if src == nil {
			*d = nil
			return nil
		}
		s := new(string)
		if err := assign(s, src); err != nil {
			return err
		}
		*d = s
	case *[]byte:
		switch s := src.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = bytes.Clone(s)
		case string:
			*d = []byte(s)
		default:
			return fmt.Errorf("cannot scan %T into *[]byte", src)
		}
	case *int64:
		n, err := toInt64(src)
		if err != nil {
			return err
		}
		*d = n
	case *int:
		n, err := toInt64(src)
		if err != nil {
			return err
		}
		*d = int(n)
	case *bool:
		switch s := src.(type) {
		case bool:
			*d = s
		case int64:
			*d = s != 0
		default:
			return fmt.Errorf("cannot scan %T into *bool", src)
		}
	case *float64:
		switch s := src.(type) {
		case float64:
			*d = s
		case int64:
			*d = float64(s)
		default:
			return fmt.Errorf("cannot scan %T into *float64", src)
		}
	case *time.Time:
		t, ok := src.(time.Time)
		if !ok {
			return fmt.Errorf("cannot scan %T into *time.Time", src)
		}
		*d = t
	case *any:
		if b, ok := src.([]byte); ok {
			src = bytes.Clone(b)
		}
		*d = src
	case sql.Scanner:
		return d.Scan(src)
	default:
		return fmt.Errorf("cannot scan into %T", dest)
	}
	return nil
}

// toInt64 returns src as an int64: an integer, or text holding one.
func toInt64(src driver.Value) (int64, error) {
	switch s := src.(type) {
	case int64:
		return s, nil
	case string:
		return strconv.ParseInt(s, 10, 64)
	case []byte:
		return strconv.ParseInt(string(s), 10, 64)
	case nil:
		return 0, fmt.Errorf("converting NULL to int64 is unsupported")
	}
	return 0, fmt.Errorf("cannot scan %T into an integer", src)
}
