package bus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/blogctl/blogctl/internal/event"
)

// Bucket names of the store.
var (
	eventsBucket  = []byte("events")  // big-endian seq -> stored event JSON
	idsBucket     = []byte("ids")     // event id -> big-endian seq
	cursorsBucket = []byte("cursors") // subscriber URL -> big-endian seq
	metaBucket    = []byte("meta")    // facts about the log itself
)

// logIDKey is the key of the log's identity in metaBucket.
var logIDKey = []byte("log-id")

// maxGroup bounds how many appends share one transaction.
const maxGroup = 1024

// MaxIDLen is the longest event ID the store accepts.
const MaxIDLen = 256

// ErrClosed reports an append to a store that is closed or closing.
var ErrClosed = errors.New("event store is closed")

// Store is the bus's durable, append-only log of events in a bbolt file.
// Appends are group-committed: one writer goroutine writes every append
// that is waiting in one transaction, with one fsync, and acknowledges each
// only after that transaction commits.
type Store struct {
	db      *bolt.DB
	logID   string
	appends chan *appendReq
	stop    chan struct{}
	stopped chan struct{}
	close   sync.Once

	mu      sync.Mutex
	head    uint64
	changed chan struct{} // closed and replaced each time head moves
}

// appendReq is one Append, AppendAll or SaveCursors: what it writes goes
// into one transaction, all or none.
type appendReq struct {
	evs []event.Event
	// cursors are subscriber positions to persist in the same transaction.
	cursors map[string]uint64
	done    chan appendResult
}

type appendResult struct {
	evs []event.Event
	err error
}

// OpenStore opens, or creates, the store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating the data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "events.db")
	db, err := bolt.Open(path, 0o640, &bolt.Options{
		// Another bus holding the file fails fast instead of hanging.
		Timeout: 2 * time.Second,
		// A large virtual map spares writers from waiting on readers
		// while the file grows.
		InitialMmapSize: 1 << 30,
		FreelistType:    bolt.FreelistMapType,
		NoFreelistSync:  true,
	})
	if err != nil {
		return nil, fmt.Errorf("opening the event store %s (is another event bus using it?): %w", path, err)
	}

	s := &Store{
		db:      db,
		appends: make(chan *appendReq, maxGroup),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		changed: make(chan struct{}),
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the event store %s: %w", path, err)
	}
	go s.write()
	return s, nil
}

// init creates the buckets, reads the head of the log and its identity,
// and gives a log that has none an identity.
func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{eventsBucket, idsBucket, cursorsBucket, metaBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		if k, _ := tx.Bucket(eventsBucket).Cursor().Last(); k != nil {
			s.head = binary.BigEndian.Uint64(k)
		}
		meta := tx.Bucket(metaBucket)
		if id := meta.Get(logIDKey); id != nil {
			s.logID = string(id)
			return nil
		}
		s.logID = newLogID()
		if err := meta.Put(logIDKey, []byte(s.logID)); err != nil {
			return fmt.Errorf("storing the log's identity: %w", err)
		}
		return nil
	})
}

// newLogID returns a random identity for a new log: 16 random bytes in
// hex.
func newLogID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// LogID returns the log's identity: a random ID created with the log file
// and kept in it, the same across restarts for as long as the file lasts
// and different for a new one. It is served as event.LogHeader.
func (s *Store) LogID() string { return s.logID }

// Close stops the writer, failing appends still waiting, and closes the
// file. Every acknowledged append is already on disk.
func (s *Store) Close() error {
	s.close.Do(func() { close(s.stop) })
	<-s.stopped
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing the event store: %w", err)
	}
	return nil
}

// Head returns the sequence number of the last event in the log, zero when
// the log is empty.
func (s *Store) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}

// Changed returns a channel that is closed the next time the log grows.
// Take it before reading Head so that no append is missed.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Append stores ev durably and returns it with its ID and sequence number.
// An event whose ID is already in the log is not stored again: Append
// returns the stored event's sequence number. An event without an ID gets
// a random one.
func (s *Store) Append(ctx context.Context, ev event.Event) (event.Event, error) {
	if err := prepare(&ev); err != nil {
		return event.Event{}, err
	}
	out, err := s.enqueue(ctx, &appendReq{evs: []event.Event{ev}})
	if err != nil {
		return event.Event{}, err
	}
	return out[0], nil
}

// AppendAll stores evs durably in one transaction, all or none, as Append
// stores one, and returns them in order with their IDs and sequence
// numbers. An ID repeated within evs, or already in the log, is stored
// once. If any event is malformed, nothing is stored.
func (s *Store) AppendAll(ctx context.Context, evs []event.Event) ([]event.Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	evs = slices.Clone(evs)
	for i := range evs {
		if err := prepare(&evs[i]); err != nil {
			return nil, fmt.Errorf("event %d of %d: %w", i, len(evs), err)
		}
	}
	return s.enqueue(ctx, &appendReq{evs: evs})
}

// prepare gives ev an ID if it has none and checks what the store needs:
// an event that cannot be stored must not fail the others of its group.
func prepare(ev *event.Event) error {
	if ev.ID == "" {
		ev.ID = event.NewID()
	}
	if len(ev.ID) > MaxIDLen {
		return fmt.Errorf("%w: \"id\" is longer than %d bytes", event.ErrMalformed, MaxIDLen)
	}
	if len(ev.Data) == 0 {
		ev.Data = json.RawMessage("{}")
	} else if !json.Valid(ev.Data) {
		return fmt.Errorf("%w: \"data\" is not JSON", event.ErrMalformed)
	}
	return nil
}

// enqueue hands req to the writer and waits for its commit.
func (s *Store) enqueue(ctx context.Context, req *appendReq) ([]event.Event, error) {
	req.done = make(chan appendResult, 1)
	select {
	case <-s.stop:
		return nil, ErrClosed
	default:
	}
	select {
	case s.appends <- req:
	case <-s.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}

	// Once queued, the append completes or fails with the store: waiting
	// for it even if ctx ends keeps the answer truthful.
	select {
	case r := <-req.done:
		return r.evs, r.err
	case <-s.stopped:
		// The writer answers before it stops, if it took the append at all.
		select {
		case r := <-req.done:
			return r.evs, r.err
		default:
			return nil, ErrClosed
		}
	}
}

// write is the single writer: it gathers every waiting append into one
// transaction until the store closes.
func (s *Store) write() {
	defer close(s.stopped)
	group := make([]*appendReq, 0, maxGroup)
	for {
		select {
		case req := <-s.appends:
			group = append(group[:0], req)
		case <-s.stop:
			s.failWaiting()
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case req := <-s.appends:
				group = append(group, req)
			default:
				break gather
			}
		}
		s.commit(group)
	}
}

// failWaiting answers appends that arrived after the store began closing.
func (s *Store) failWaiting() {
	for {
		select {
		case req := <-s.appends:
			req.done <- appendResult{err: ErrClosed}
		default:
			return
		}
	}
}

// commit writes group in one transaction and acknowledges each append.
func (s *Store) commit(group []*appendReq) {
	var head uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		head, err = appendAll(tx, group)
		return err
	})
	if err != nil {
		err = fmt.Errorf("writing to the event store: %w", err)
		for _, req := range group {
			req.done <- appendResult{err: err}
		}
		return
	}

	s.advance(head)
	for _, req := range group {
		req.done <- appendResult{evs: req.evs}
	}
}

// appendAll puts each event of group that is not yet in the log, setting
// every event's sequence number, and returns the new head. An ID put
// earlier in the same transaction counts as in the log.
func appendAll(tx *bolt.Tx, group []*appendReq) (uint64, error) {
	events, ids := tx.Bucket(eventsBucket), tx.Bucket(idsBucket)
	// Events are only ever appended: fill their pages instead of splitting
	// them in half, which would leave every page of the log half empty.
	events.FillPercent = 1.0
	head := events.Sequence()
	if k, _ := events.Cursor().Last(); k != nil {
		head = max(head, binary.BigEndian.Uint64(k))
	}
	cursors := tx.Bucket(cursorsBucket)
	for _, req := range group {
		for url, seq := range req.cursors {
			if err := cursors.Put([]byte(url), seqKey(seq)); err != nil {
				return 0, err
			}
		}
		for i := range req.evs {
			ev := &req.evs[i]
			if seq := ids.Get([]byte(ev.ID)); seq != nil {
				ev.Seq = binary.BigEndian.Uint64(seq)
				continue
			}
			head++
			ev.Seq = head
			b, err := json.Marshal(ev)
			if err != nil {
				return 0, fmt.Errorf("encoding event %s: %w", ev.ID, err)
			}
			key := seqKey(head)
			if err := events.Put(key, b); err != nil {
				return 0, err
			}
			if err := ids.Put([]byte(ev.ID), key); err != nil {
				return 0, err
			}
		}
	}
	return head, events.SetSequence(head)
}

// advance moves the head and wakes everyone waiting on Changed.
func (s *Store) advance(head uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if head <= s.head {
		return
	}
	s.head = head
	close(s.changed)
	s.changed = make(chan struct{})
}

// Record is one stored event: its sequence number and the JSON it is
// served and delivered as.
type Record struct {
	Seq  uint64
	JSON json.RawMessage
}

// Read returns, oldest first, the stored events after since: at most limit
// of them (no limit if zero or less) and, after the first, no more than
// maxBytes of JSON (no limit if zero or less). Callers page through a large
// log with it, so memory stays bounded.
func (s *Store) Read(since uint64, limit, maxBytes int) ([]Record, error) {
	var out []Record
	size := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(eventsBucket).Cursor()
		for k, v := c.Seek(seqKey(since + 1)); k != nil; k, v = c.Next() {
			full := limit > 0 && len(out) >= limit
			if full || (maxBytes > 0 && len(out) > 0 && size+len(v) > maxBytes) {
				break
			}
			// Values are only valid inside the transaction: copy them.
			rec := Record{Seq: binary.BigEndian.Uint64(k), JSON: append(json.RawMessage(nil), v...)}
			out = append(out, rec)
			size += len(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the event store after %d: %w", since, err)
	}
	return out, nil
}

// Cursors returns every persisted subscriber cursor.
func (s *Store) Cursors() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(cursorsBucket).ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				out[string(k)] = binary.BigEndian.Uint64(v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading subscriber cursors: %w", err)
	}
	return out, nil
}

// SaveCursors persists the given subscriber cursors, in the transaction
// of the next group of appends, or in one of their own if none is waiting.
func (s *Store) SaveCursors(cursors map[string]uint64) error {
	if len(cursors) == 0 {
		return nil
	}
	if _, err := s.enqueue(context.Background(), &appendReq{cursors: cursors}); err != nil {
		return fmt.Errorf("saving subscriber cursors: %w", err)
	}
	return nil
}

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, seq)
}
