package connect

import "time"

// Handoff passes committed delivery jobs to the local delivery worker in
// memory, so that a send is not claimed back from the store before it is
// relayed. The job is committed already leased to this process (see
// Outbound.LeaseUntil), so it survives a crash exactly like a claimed one.
// It is declared here, where it is used; the worker (delivery.Worker)
// implements it and owns the job types (delivery.Job, delivery.JobOf).
type Handoff interface {
	// Reserve claims room for one job and returns until when its lease
	// must run; ok=false when the worker has no room, and the job is then
	// queued in the store, due at once.
	Reserve() (leaseUntil time.Time, ok bool)
	// Hand passes the job of a reservation whose commit succeeded: the
	// delivery of o, committed as attempt 1 leased until o.LeaseUntil.
	Hand(o *Outbound)
	// Cancel gives back a reservation whose commit failed.
	Cancel()
	// Revoke drops the handed-over job of a contact that was stopped, if
	// its delivery has not started.
	Revoke(contactID string)
	// RevokeInstance drops the handed-over jobs of a deleted instance whose
	// delivery has not started.
	RevokeInstance(instanceID string)
}

// commitQueued runs commit, which stores o together with its delivery job.
// With a Handoff that has room the job is committed leased and handed over
// afterwards; otherwise the worker is woken to claim it from the store.
func (s *Service) commitQueued(o *Outbound, commit func() error) error {
	h := s.cfg.Handoff
	reserved := false
	if h != nil {
		o.LeaseUntil, reserved = h.Reserve()
	}
	err := commit()
	switch {
	case err != nil:
		if reserved {
			h.Cancel()
		}
	case reserved:
		h.Hand(o)
	default:
		s.cfg.Wake()
	}
	return err
}
