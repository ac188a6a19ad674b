package cloud

import "sync"

// subscriber delivers events to one observer from its own goroutine, in the
// order the world produced them, so a slow observer delays only itself and
// never holds the world's lock.
type subscriber struct {
	observer InstanceObserver
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []InstanceEvent
	closed   bool
	done     chan struct{}
}

// Subscribe registers o for every instance event from now on.
func (w *World) Subscribe(o InstanceObserver) {
	s := &subscriber{observer: o, done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.subscribers = append(w.subscribers, s)
	w.mu.Unlock()
	go s.run()
}

// emitLocked queues ev for every observer; the caller holds w.mu, which
// fixes the order of events across observers and instances.
func (w *World) emitLocked(kind InstanceEventKind, inst *instance) {
	if len(w.subscribers) == 0 {
		return
	}
	ev := InstanceEvent{Kind: kind, Instance: inst.info()}
	for _, s := range w.subscribers {
		s.push(ev)
	}
}

func (s *subscriber) push(ev InstanceEvent) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *subscriber) run() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range batch {
			s.observer.InstanceChanged(ev)
		}
	}
}

func (s *subscriber) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cond.Broadcast()
	<-s.done
}
