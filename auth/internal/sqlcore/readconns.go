package sqlcore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// errReadConnsClosed is returned by a read on a closed StdDB.
var errReadConnsClosed = errors.New("the store is closed")

// readConns is a fixed set of connections that a StdDB keeps for its
// single-row reads (QueryRow), each with its own prepared statements, so
// that a read takes no lock that every read shares. Through the *sql.DB a
// prepared read takes the handle's one mutex (DB.mu) to get a connection
// and again to put it back, and waits there for the other reads: on many
// cores that lock, not SQLite, bounds the reads per second. A connection
// of the set is taken from a buffered channel and given back to it; only
// the holder touches its statements.
//
// A read runs below database/sql, on the driver's own connection
// (sql.Conn.Raw) with a driver statement prepared once on it
// (driver.StmtQueryContext): through a *sql.Stmt, even one bound to a
// connection, database/sql still takes DB.mu twice per query, to record
// the rows as a dependency of the statement and to drop it again. Raw
// takes only the connection's own locks, which no other read shares.
//
// The connections are opened when first needed, at most cap(idle) of
// them.
type readConns struct {
	db     *sql.DB
	idle   chan *readConn // capacity: the most connections the set opens
	opened atomic.Int32   // connections open or being opened
	closed atomic.Bool
	done   chan struct{} // closed by close: wakes the reads waiting for a connection
}

// A readConn is one connection of a readConns and its driver statements,
// by query, prepared on the connection's driver connection and used only
// inside conn.Raw, by the connection's holder. vals and args are the
// holder's buffers for a row's values and a query's arguments.
type readConn struct {
	conn  *sql.Conn
	stmts map[string]driver.Stmt
	vals  []driver.Value
	args  []driver.NamedValue
	// last is the statement of the last read, and lastQuery its query:
	// reads mostly repeat one query, whose text compares equal at once
	// (the same string), where a map lookup hashes all of it.
	lastQuery string
	last      driver.StmtQueryContext
}

// errUsePool tells a read to go through the handle's pool: the app has
// limited the pool, and the set may not take more of it.
var errUsePool = errors.New("sqlcore: read through the pool")

func newReadConns(db *sql.DB, n int) *readConns {
	return &readConns{db: db, idle: make(chan *readConn, n), done: make(chan struct{})}
}

// get returns a connection of the set: an idle one, a new one while fewer
// than cap(idle) are open, or else the first one given back. It returns
// an error wrapping ctx's if ctx ends first.
func (p *readConns) get(ctx context.Context) (*readConn, error) {
	select {
	case c := <-p.idle:
		return p.checkOpen(c)
	default:
	}
	limit := cap(p.idle)
	// DB.Stats takes the handle's one lock: ask it only while the set may
	// still open a connection. Once all are open, a read waits for one of
	// them, which every read gives back.
	if int(p.opened.Load()) >= limit {
		limit = 0
	} else if max := p.db.Stats().MaxOpenConnections; max > 0 {
		// The app limited its pool after the store was made: keep at most
		// half of it, so that its own queries and the store's writes
		// always find a connection, and read through the pool otherwise.
		limit = min(limit, max/2)
		if int(p.opened.Load()) >= limit {
			select {
			case c := <-p.idle:
				return p.checkOpen(c)
			default:
				return nil, errUsePool
			}
		}
	}
	for {
		n := p.opened.Load()
		if int(n) >= limit {
			break
		}
		if p.opened.CompareAndSwap(n, n+1) {
			conn, err := p.db.Conn(ctx)
			if err != nil {
				p.opened.Add(-1)
				return nil, err
			}
			return p.checkOpen(&readConn{conn: conn, stmts: map[string]driver.Stmt{}})
		}
	}
	select {
	case c := <-p.idle:
		return p.checkOpen(c)
	case <-p.done:
		return nil, errReadConnsClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a read connection: %w", ctx.Err())
	}
}

// checkOpen returns c, or closes it and returns an error if the set has
// been closed.
func (p *readConns) checkOpen(c *readConn) (*readConn, error) {
	if p.closed.Load() {
		c.close()
		return nil, errReadConnsClosed
	}
	return c, nil
}

// put gives c back after a query that returned err: to the set, or, if
// the connection is broken, to nobody (it is closed and a new one may be
// opened in its place).
func (p *readConns) put(c *readConn, err error) {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		c.close()
		p.opened.Add(-1)
		return
	}
	p.idle <- c // never blocks: at most cap(idle) connections exist
	// close drains after it sets closed; c was sent before this load, so
	// either close takes it or this does.
	if p.closed.Load() {
		p.drain()
	}
}

// drain closes the idle connections.
func (p *readConns) drain() {
	for {
		select {
		case c := <-p.idle:
			c.close()
		default:
			return
		}
	}
}

// close closes the idle connections and, as they are given back, the
// others.
func (p *readConns) close() {
	if p.closed.Swap(true) {
		return
	}
	close(p.done)
	p.drain()
}

// queryRow runs query with args on c's driver connection and scans its
// first row into dest, as (*sql.Row).Scan does: sql.ErrNoRows when there
// is none. The statement is prepared on the connection the first time.
func (c *readConn) queryRow(ctx context.Context, query string, args []any, dest []any) error {
	return c.conn.Raw(func(dc any) error {
		st, err := c.stmt(ctx, dc, query)
		if err != nil {
			return err
		}
		return c.scanFirst(ctx, st, args, dest)
	})
}

// stmt returns c's statement for query, preparing it on dc, c's driver
// connection, the first time.
func (c *readConn) stmt(ctx context.Context, dc any, query string) (driver.StmtQueryContext, error) {
	if c.last != nil && query == c.lastQuery {
		return c.last, nil
	}
	st := c.stmts[query]
	if st == nil {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil, fmt.Errorf("sqlcore: driver connection %T cannot prepare with a context", dc)
		}
		var err error
		if st, err = prep.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.stmts[query] = st
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		return nil, fmt.Errorf("sqlcore: driver statement %T cannot query with a context", st)
	}
	c.lastQuery, c.last = query, sq
	return sq, nil
}

// scanFirst runs st with args and scans its first row into dest.
func (c *readConn) scanFirst(ctx context.Context, st driver.StmtQueryContext, args []any, dest []any) (err error) {
	named := c.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return fmt.Errorf("sqlcore: argument %d: %w", i+1, err)
		}
		named = append(named, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	c.args = named
	defer clear(named) // keep no argument alive between reads
	rows, err := st.QueryContext(ctx, named)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	n := len(rows.Columns())
	if cap(c.vals) < n {
		c.vals = make([]driver.Value, n)
	}
	vals := c.vals[:n]
	defer clear(vals)
	if err := rows.Next(vals); err != nil {
		if errors.Is(err, io.EOF) {
			return sql.ErrNoRows
		}
		return err
	}
	if len(dest) != n {
		return fmt.Errorf("sqlcore: %d destinations for %d columns", len(dest), n)
	}
	for i, v := range vals {
		if err := assign(dest[i], v); err != nil {
			return fmt.Errorf("sqlcore: column %d: %w", i+1, err)
		}
	}
	return nil
}

// close closes c's statements and its connection.
func (c *readConn) close() {
	c.conn.Raw(func(any) error {
		for _, st := range c.stmts {
			st.Close()
		}
		return nil
	})
	clear(c.stmts)
	c.lastQuery, c.last = "", nil
	c.conn.Close()
}

// readRow is the Row of a QueryRow on a StdDB with read connections: its
// Scan takes a connection, runs the query on it and gives it back, so a
// row that is never scanned holds nothing. It holds the StdDB rather than
// a closure over it, for the read through the handle's pool (errUsePool):
// a closure would cost every read an allocation.
type readRow struct {
	d     *StdDB
	ctx   context.Context
	query string
	args  []any
	// id and arg hold the one argument of a read by ID (StdDB.rowByID)
	// in the row's own allocation: args is then arg[:], holding &id, a
	// pointer, which an interface holds without an allocation of its own.
	id  string
	arg [1]any
}

func (r *readRow) Scan(dest ...any) error {
	c, err := r.d.reads.get(r.ctx)
	if errors.Is(err, errUsePool) {
		return r.d.poolRow(r.ctx, r.query, r.args...).Scan(dest...)
	}
	if err != nil {
		return err
	}
	err = c.queryRow(r.ctx, r.query, r.args, dest)
	r.d.reads.put(c, err)
	return withCtx(r.ctx, err)
}
