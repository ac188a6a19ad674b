package cloud

import (
	"container/heap"
	"sync"
	"time"
)

// scheduler runs delayed state transitions from one goroutine and one
// timer, so thousands of instances in flight cost heap entries, not
// goroutines. Each API call schedules one task for all instances it touched.
type scheduler struct {
	mu     sync.Mutex
	tasks  taskHeap
	seq    uint64
	wake   chan struct{}
	done   chan struct{}
	closed bool
	wg     sync.WaitGroup
}

type task struct {
	at  time.Time
	seq uint64 // keeps tasks due at the same instant in scheduling order
	fn  func()
}

type taskHeap []task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(task)) }
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.wg.Add(1)
	go s.run()
	return s
}

// after runs fn once d has elapsed. fn runs on the scheduler goroutine and
// must not block for long.
func (s *scheduler) after(d time.Duration, fn func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.seq++
	heap.Push(&s.tasks, task{at: time.Now().Add(d), seq: s.seq, fn: fn})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *scheduler) run() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var due []func()
		now := time.Now()
		for s.tasks.Len() > 0 && !s.tasks[0].at.After(now) {
			due = append(due, heap.Pop(&s.tasks).(task).fn)
		}
		wait := time.Hour
		if s.tasks.Len() > 0 {
			wait = s.tasks[0].at.Sub(now)
		}
		s.mu.Unlock()
		for _, fn := range due {
			fn()
		}
		if len(due) > 0 {
			continue
		}
		timer.Reset(wait)
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

func (s *scheduler) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.tasks = nil
	s.mu.Unlock()
	close(s.done)
	s.wg.Wait()
}
