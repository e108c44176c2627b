package serve

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultMaxJTIs caps the replay store. Entries leave when their assertion
// could no longer be accepted; the cap only matters under a flood of
// long-lived assertions, and then the one closest to expiry goes first.
const DefaultMaxJTIs = 1 << 20

// JTIStore remembers the jtis a server has recorded, per issuer, until their
// assertion expires. Memory is bounded twice: by expiry, swept on every
// insert, and by a hard cap on the number of entries.
type JTIStore struct {
	mu      sync.Mutex
	max     int
	entries map[string]time.Time
	byUntil untilHeap
	// peak is the largest size since entries was last rebuilt: Go maps never
	// give buckets back, so a map far below its peak is copied to a new one.
	peak int
}

// NewJTIStore returns a store holding at most max entries (DefaultMaxJTIs
// when max <= 0).
func NewJTIStore(max int) *JTIStore {
	if max <= 0 {
		max = DefaultMaxJTIs
	}
	return &JTIStore{max: max, entries: make(map[string]time.Time)}
}

func jtiKey(iss, jti string) string { return iss + "\x00" + jti }

// Seen reports whether iss has used jti in an assertion that is still held.
func (s *JTIStore) Seen(iss, jti string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.entries[jtiKey(iss, jti)]
	return ok && now.Before(until)
}

// Add records jti for iss until until. It reports false when the jti was
// already held, so that two concurrent requests cannot both pass as new.
func (s *JTIStore) Add(iss, jti string, until, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	key := jtiKey(iss, jti)
	if old, ok := s.entries[key]; ok && now.Before(old) {
		return false
	}
	if !now.Before(until) {
		return true // already expired: nothing to remember
	}
	for len(s.entries) >= s.max && s.byUntil.Len() > 0 {
		e := heap.Pop(&s.byUntil).(untilEntry)
		if cur, ok := s.entries[e.key]; ok && cur.Equal(e.until) {
			delete(s.entries, e.key)
		}
	}
	s.entries[key] = until
	heap.Push(&s.byUntil, untilEntry{key: key, until: until})
	if len(s.entries) > s.peak {
		s.peak = len(s.entries)
	}
	return true
}

// Len is the number of jtis held.
func (s *JTIStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Sweep drops every entry that has expired by now.
func (s *JTIStore) Sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
}

func (s *JTIStore) sweep(now time.Time) {
	for s.byUntil.Len() > 0 && !now.Before(s.byUntil[0].until) {
		e := heap.Pop(&s.byUntil).(untilEntry)
		if cur, ok := s.entries[e.key]; ok && cur.Equal(e.until) {
			delete(s.entries, e.key)
		}
	}
	if s.peak >= 4096 && len(s.entries) < s.peak/4 {
		fresh := make(map[string]time.Time, len(s.entries))
		for k, v := range s.entries {
			fresh[k] = v
		}
		s.entries = fresh
		s.byUntil = append(untilHeap(nil), s.byUntil...)
		s.peak = len(s.entries)
	}
}

type untilEntry struct {
	key   string
	until time.Time
}

type untilHeap []untilEntry

func (h untilHeap) Len() int           { return len(h) }
func (h untilHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h untilHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *untilHeap) Push(x any)        { *h = append(*h, x.(untilEntry)) }
func (h *untilHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = untilEntry{}
	*h = old[:len(old)-1]
	return e
}
