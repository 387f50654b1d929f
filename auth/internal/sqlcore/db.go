// Package sqlcore is what authkit's SQL stores (sqlitestore, pgstore)
// share: the SQL text, the row scanning, the time encoding, the migrations
// and their runner, and the store methods themselves, written against a
// small [DB] interface that each store implements with its driver. It
// imports no driver, so each store package links only its own.
package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// A Row is one result row: *sql.Row and pgx.Row both are.
type Row interface {
	Scan(dest ...any) error
}

// A Querier runs statements: a database handle or a transaction.
type Querier interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query that returns at most one row; its Scan
	// returns the driver's no-rows error (see [Config.NoRows]) if none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Query runs a query and calls each for every row, stopping at the
	// first error.
	Query(ctx context.Context, query string, each func(Row) error, args ...any) error
}

// A DB is a database handle that can also run a function in a
// transaction.
type DB interface {
	Querier
	// InTx runs fn in a transaction, committed if fn returns nil and
	// rolled back otherwise.
	InTx(ctx context.Context, fn func(Querier) error) error
}

// errRow is a Row whose Scan returns err: a statement that could not be
// prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// StdDB is a [DB] on a *sql.DB. With prepare set, it prepares each
// statement the first time it runs and reuses it (on SQLite parsing costs
// about as much as running a primary-key read).
//
// With serialize set, its writes (Exec and transactions) take turns in
// the process. SQLite has one write lock per database, and a writer that
// finds it taken polls with growing sleeps (busy_timeout), so that a
// steady stream of writers (a sweep's steps) can starve another for
// seconds; taking turns queues them instead, so each waits for the writes
// ahead of it.
//
// Every write returns when its context ends, whatever it is waiting for:
// its turn, or the database's write lock held by another connection. The
// second matters on SQLite, whose busy handler sleeps where no context
// reaches it (the driver's interrupt stops a statement only once it
// runs): the statement goes on waiting in the background and keeps the
// turn until it returns, while the caller gets, within 5ms of the end
// (abandonGrace: time for a running statement to return its result), an
// error wrapping the context's. Like any store error, that leaves the
// outcome unknown to the caller.
type StdDB struct {
	db      *sql.DB
	prepare bool
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	turn    chan struct{} // capacity 1: held by the running write; nil: writes do not take turns
	reads   *readConns    // nil: QueryRow goes through db
}

// NewStdDB returns a StdDB on db.
func NewStdDB(db *sql.DB, prepare, serialize bool) *StdDB {
	d := &StdDB{db: db, prepare: prepare, stmts: map[string]*sql.Stmt{}}
	if serialize {
		d.turn = make(chan struct{}, 1)
	}
	return d
}

// KeepReadConns makes d run QueryRow on n connections of its own, taken
// from db when first needed and closed by Close, each with its own
// prepared statements (see readConns: reads then share no lock of the
// *sql.DB's pool to get a connection). A read waits for one of them, or
// returns an error wrapping ctx's when ctx ends first. Call it before d
// is used. If db's pool gets a limit later (SetMaxOpenConns), the set
// keeps at most half of it and reads through the pool beyond that.
func (d *StdDB) KeepReadConns(n int) {
	d.reads = newReadConns(d.db, n)
}

// writeTurn waits for a write's turn, or for ctx to end; the returned
// function ends the turn.
func (d *StdDB) writeTurn(ctx context.Context) (func(), error) {
	if d.turn == nil {
		return func() {}, nil
	}
	select {
	case d.turn <- struct{}{}:
		return func() { <-d.turn }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the store's other writes: %w", ctx.Err())
	}
}

// await runs op in a goroutine of its own and returns its result, or, as
// soon as ctx ends, an error wrapping ctx's. op then goes on, and abandon
// (when not nil) gets its result, to release what op got. Exactly one of
// the caller and abandon gets the result. op must not touch the caller's
// variables. Without a ctx that can end, op runs in the caller's
// goroutine.
func await[T any](ctx context.Context, op func() (T, error), abandon func(T, error)) (T, error) {
	if ctx.Done() == nil {
		return op()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result) // unbuffered: a send is a hand-over to the caller
	abandoned := make(chan struct{})
	go func() {
		v, err := op()
		select {
		case ch <- result{v, err}:
		case <-abandoned:
			if abandon != nil {
				abandon(v, err)
			}
		}
	}()
	select {
	case r := <-ch:
		return r.v, withCtx(ctx, r.err)
	case <-ctx.Done():
	}
	// The driver interrupts a running statement when ctx ends, and it
	// then returns at once: wait a moment for that, so that the caller
	// learns what a statement that was running (not waiting for the lock)
	// did, a sweep step's count say.
	grace := time.NewTimer(abandonGrace)
	defer grace.Stop()
	select {
	case r := <-ch:
		return r.v, withCtx(ctx, r.err)
	case <-grace.C:
		close(abandoned)
		var zero T
		return zero, fmt.Errorf("waiting for the database's write lock: %w", ctx.Err())
	}
}

// abandonGrace is how long await waits, once ctx has ended, for a
// statement to return before it leaves it: an interrupted one returns at
// once, with its result. (An interrupt that comes just before a statement
// starts is lost, and the statement then runs to its end, possibly after
// this: writes whose result must be known, a sweep's, run in a
// transaction, where only the BEGIN is ever left.)
const abandonGrace = 5 * time.Millisecond

// withCtx returns err wrapping ctx's error once ctx has ended, whatever
// the driver made of the interruption, so that callers can tell a
// cancelled or timed-out write from a failed one.
func withCtx(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return err
}

func (d *StdDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.Lock()
	st := d.stmts[query]
	d.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if old := d.stmts[query]; old != nil {
		st.Close()
		return old, nil
	}
	d.stmts[query] = st
	return st, nil
}

// Exec implements [Querier]. It is a write: it takes its turn and
// returns when ctx ends, as the type's doc says.
func (d *StdDB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	done, err := d.writeTurn(ctx)
	if err != nil {
		return 0, err
	}
	return await(ctx, func() (int64, error) {
		defer done()
		if !d.prepare {
			return rowsAffected(d.db.ExecContext(ctx, query, args...))
		}
		st, err := d.stmt(ctx, query)
		if err != nil {
			return 0, err
		}
		return rowsAffected(st.ExecContext(ctx, args...))
	}, nil)
}

// QueryRow implements [Querier].
func (d *StdDB) QueryRow(ctx context.Context, query string, args ...any) Row {
	if d.reads != nil {
		return &readRow{d: d, ctx: ctx, query: query, args: args}
	}
	return d.poolRow(ctx, query, args...)
}

// rowByID is QueryRow(ctx, query, id) for a query whose one argument is
// id, with r, the caller's, as its Row when d has read connections: the
// read then allocates nothing for its row and its argument, where
// QueryRow's variadic arguments cost it the slice, the string boxed in
// an interface, and the row.
func (d *StdDB) rowByID(r *readRow, ctx context.Context, query, id string) Row {
	if d.reads == nil {
		return d.poolRow(ctx, query, id)
	}
	*r = readRow{d: d, ctx: ctx, query: query, id: id}
	r.arg[0] = &r.id
	r.args = r.arg[:]
	return r
}

// poolRow is QueryRow through the handle's pool.
func (d *StdDB) poolRow(ctx context.Context, query string, args ...any) Row {
	if !d.prepare {
		return d.db.QueryRowContext(ctx, query, args...)
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// Query implements [Querier].
func (d *StdDB) Query(ctx context.Context, query string, each func(Row) error, args ...any) error {
	if !d.prepare {
		return eachRow(d.db.QueryContext(ctx, query, args...))(each)
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return err
	}
	return eachRow(st.QueryContext(ctx, args...))(each)
}

// InTx implements [DB]. It is a write, as for Exec: its BEGIN is what
// waits for the write lock where the DSN makes transactions immediate.
// fn runs once the transaction has begun, in the caller's goroutine, and
// the turn lasts until the transaction ends.
func (d *StdDB) InTx(ctx context.Context, fn func(Querier) error) error {
	done, err := d.writeTurn(ctx)
	if err != nil {
		return err
	}
	tx, err := await(ctx, func() (*sql.Tx, error) {
		tx, err := d.db.BeginTx(ctx, nil)
		if err != nil {
			done()
		}
		return tx, err
	}, func(tx *sql.Tx, err error) {
		if err == nil {
			tx.Rollback()
			done()
		}
	})
	if err != nil {
		return err
	}
	defer done()
	if err := fn(stdQuerier{tx}); err != nil {
		tx.Rollback()
		return withCtx(ctx, err)
	}
	return withCtx(ctx, tx.Commit())
}

// Locked runs fn on one connection between begin (such as "BEGIN
// IMMEDIATE") and COMMIT, whatever transaction mode the handle's DSN sets;
// on an error it rolls back. It is a write, as for InTx.
func (d *StdDB) Locked(ctx context.Context, begin string, fn func(Querier) error) error {
	done, err := d.writeTurn(ctx)
	if err != nil {
		return err
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		done()
		return err
	}
	release := func() {
		conn.Close()
		done()
	}
	// A fresh context for ROLLBACK: it must run even if ctx is done.
	rollback := func() { conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") }
	_, err = await(ctx, func() (struct{}, error) {
		_, err := conn.ExecContext(ctx, begin)
		if err != nil {
			release()
		}
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		if err == nil {
			rollback()
			release()
		}
	})
	if err != nil {
		return err
	}
	defer release()
	if err := fn(stdQuerier{conn}); err != nil {
		rollback()
		return withCtx(ctx, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		rollback()
		return withCtx(ctx, err)
	}
	return nil
}

// Close closes the prepared statements and the read connections (not the
// *sql.DB). A read connection in use is closed when its read ends.
func (d *StdDB) Close() error {
	if d.reads != nil {
		d.reads.close()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for q, st := range d.stmts {
		errs = append(errs, st.Close())
		delete(d.stmts, q)
	}
	return errors.Join(errs...)
}

// stdQuerier is the [Querier] on a transaction (*sql.Tx) or a connection
// (*sql.Conn), which run statements alike.
type stdQuerier struct {
	r interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (q stdQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return rowsAffected(q.r.ExecContext(ctx, query, args...))
}

func (q stdQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return q.r.QueryRowContext(ctx, query, args...)
}

func (q stdQuerier) Query(ctx context.Context, query string, each func(Row) error, args ...any) error {
	return eachRow(q.r.QueryContext(ctx, query, args...))(each)
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func eachRow(rows *sql.Rows, err error) func(func(Row) error) error {
	return func(each func(Row) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := EachRow(rows, each); err != nil {
			return err
		}
		return rows.Close()
	}
}

// Rows are a query's result rows: *sql.Rows and pgx.Rows both are.
type Rows interface {
	Row
	Next() bool
	Err() error
}

// EachRow calls each for every row of rows, stopping at the first error,
// and returns rows's error. The caller closes rows.
func EachRow(rows Rows, each func(Row) error) error {
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Kind classifies a driver error.
type Kind int

// The kinds of driver error the stores tell apart.
const (
	Other      Kind = iota
	Unique          // a unique or primary key violation
	ForeignKey      // a foreign key violation
	Undefined       // a table or column that does not exist: not migrated
)

// wrap returns err as the store reports it: prefixed with the package and
// the operation, and wrapping the not-migrated sentinel when the table or
// column is missing.
func (c *Core) wrap(op string, err error) error {
	if c.cfg.Classify(err) == Undefined {
		return fmt.Errorf("%w: %s: %w", c.cfg.NotMigrated, op, err)
	}
	return fmt.Errorf("%s: %s: %w", c.cfg.Name, op, err)
}

// queryAll runs query with args and returns what scan makes of each row,
// in order; a failure of the query or of a scan is wrapped as op's.
func queryAll[T any](ctx context.Context, c *Core, op, query string, scan func(Row) (T, error), args ...any) ([]T, error) {
	var out []T
	err := c.db.Query(ctx, query, func(r Row) error {
		v, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, args...)
	if err != nil {
		return nil, c.wrap(op, err)
	}
	return out, nil
}
