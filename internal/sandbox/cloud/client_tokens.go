package cloud

import "time"

// DefaultClientTokenMemory is how long EC2 keeps a RunInstances client
// token after the instances it launched terminated: "at least 24 hours"
// (EC2 API reference, "Ensuring idempotency in Amazon EC2 API requests").
// Until then the same token with other parameters fails with
// IdempotentParameterMismatch, even though DescribeInstances stopped showing
// the terminated instances after about an hour (TerminatedVisibility).
const DefaultClientTokenMemory = 24 * time.Hour

func (w *World) clientTokenMemory(c *Config) time.Duration {
	if c.ClientTokenMemory > 0 {
		return c.ClientTokenMemory.D()
	}
	return DefaultClientTokenMemory
}

// rememberedTokenLocked returns the launch a client token still names, and
// forgets tokens whose instances all terminated longer ago than the memory
// window.
func (w *World) rememberedTokenLocked(token string, now time.Time, c *Config) (*runToken, bool) {
	prev, ok := w.tokens[token]
	if !ok {
		return nil, false
	}
	var lastTerminated time.Time
	for _, inst := range prev.instances {
		if inst.state != StateTerminated {
			return prev, true
		}
		if inst.terminatedAt.After(lastTerminated) {
			lastTerminated = inst.terminatedAt
		}
	}
	if now.Sub(lastTerminated) <= w.clientTokenMemory(c) {
		return prev, true
	}
	delete(w.tokens, token)
	return nil, false
}
